// SPDX-License-Identifier: Apache-2.0
// Where events go: a buffered writer over a file descriptor, so a burst of events costs one write
// per buffer rather than one per event.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sysfence::run {

/// Appends text to a file descriptor through a buffer. Not thread-safe: one owner (the supervisor).
class BufferedWriter {
 public:
  /// Flushes when the buffer passes this many bytes.
  static constexpr size_t kFlushBytes = 64 * 1024;

  /// Writes to `fd`; closes it on destruction when `owns_fd`.
  BufferedWriter(int fd, bool owns_fd);
  ~BufferedWriter();
  BufferedWriter(const BufferedWriter&) = delete;
  BufferedWriter& operator=(const BufferedWriter&) = delete;

  /// Opens `path` for appending ("-" is standard output). The error names the file.
  static Result<std::unique_ptr<BufferedWriter>> Open(const std::string& path);

  /// The buffer to append to; call MaybeFlush() after appending.
  std::string& buffer() { return buffer_; }
  /// Appends `text`, flushing when the buffer is large.
  void Append(std::string_view text);
  /// Flushes when the buffer passed kFlushBytes.
  void MaybeFlush();
  /// Writes out everything buffered. Write errors are counted, never thrown: events must not stop
  /// supervision.
  void Flush();
  /// True when something is buffered.
  bool pending() const { return !buffer_.empty(); }
  /// Writes that failed (disk full, closed pipe).
  size_t failed_writes() const { return failed_writes_; }
  /// The errno of the last failed write (0 when none failed).
  int last_error() const { return last_error_; }

 private:
  int fd_;
  bool owns_fd_;
  std::string buffer_;
  size_t failed_writes_ = 0;
  int last_error_ = 0;
};

}  // namespace sysfence::run
