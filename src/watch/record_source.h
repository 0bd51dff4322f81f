// SPDX-License-Identifier: Apache-2.0
// The watcher's record source: the audit netlink read-log group, or /dev/kmsg as the fallback,
// behind one interface that also says what it lost.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "os/audit_stream.h"
#include "os/kmsg_reader.h"

namespace sysfence::watch {

enum class RecordSource : uint8_t;

/// An open record source.
class RecordReader {
 public:
  /// Receives one record: its audit type and text ("audit(T:S): ...").
  using RecordSink = std::function<void(uint16_t type, std::string_view text)>;
  /// Receives records lost through `cause` ("socket-overflow",
  /// "kmsg-sequence-gap", "printk-suppressed").
  using LostSink = std::function<void(std::string_view cause, uint64_t count)>;

  /// Opens `which`; kAuto tries netlink, then /dev/kmsg, adding a note saying why. A
  /// `receive_buffer_bytes` > 0 replaces the netlink socket's 64 MiB buffer.
  static Result<RecordReader> Open(RecordSource which, int receive_buffer_bytes, std::vector<std::string>* notes);

  /// The descriptor to poll.
  [[nodiscard]] int fd() const;
  /// "netlink" or "kmsg".
  [[nodiscard]] std::string_view name() const { return netlink_ ? "netlink" : "kmsg"; }

  /// Reads what is queued: records to `on_record`, losses noticed on the way to `on_lost`.
  Result<void> Drain(const RecordSink& on_record, const LostSink& on_lost);

 private:
  RecordReader(std::optional<os::AuditStream> netlink, std::optional<os::KmsgReader> kmsg)
      : netlink_(std::move(netlink)), kmsg_(std::move(kmsg)) {}
  std::optional<os::AuditStream> netlink_;
  std::optional<os::KmsgReader> kmsg_;
  uint64_t overflows_seen_ = 0;
  uint64_t next_sequence_ = 0;  ///< kmsg: the sequence number expected next (0 = none yet)
};

}  // namespace sysfence::watch
