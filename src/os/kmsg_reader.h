// SPDX-License-Identifier: Apache-2.0
// /dev/kmsg, read record by record without blocking: the kernel log, where audit records land
// (rate-limited by printk) when no audit daemon is registered. The fallback source of
// `sysfence watch` when the netlink audit stream is refused.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// A reader of /dev/kmsg positioned at the end of the log (older records are not replayed).
class KmsgReader {
 public:
  /// Opens /dev/kmsg. kPermission when reading the kernel log is refused (CAP_SYSLOG, or
  /// kernel.dmesg_restrict), kUnsupported when the device is missing.
  static Result<KmsgReader> Open();

  /// The descriptor to poll for readability.
  [[nodiscard]] int fd() const { return fd_.get(); }

  /// Reads every record available now and hands each to `on_record` (one record as read(2)
  /// returns it: "PRI,SEQ,USEC,FLAGS;MESSAGE\n..."). Records the log overwrote before they were
  /// read (EPIPE) are counted in overwritten().
  Result<void> Drain(const std::function<void(std::string_view record)>& on_record);

  /// Times the kernel overwrote records before this reader got them.
  [[nodiscard]] uint64_t overwritten() const { return overwritten_; }

 private:
  explicit KmsgReader(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  uint64_t overwritten_ = 0;
};

}  // namespace sysfence::os
