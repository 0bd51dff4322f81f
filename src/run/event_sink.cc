// SPDX-License-Identifier: Apache-2.0
#include "run/event_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sysfence::run {

BufferedWriter::BufferedWriter(int fd, bool owns_fd) : fd_(fd), owns_fd_(owns_fd) { buffer_.reserve(2 * kFlushBytes); }

BufferedWriter::~BufferedWriter() {
  Flush();
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<BufferedWriter>> BufferedWriter::Open(const std::string& path) {
  if (path == "-") return std::make_unique<BufferedWriter>(STDOUT_FILENO, false);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    return MakeError(err == EACCES || err == EPERM ? ErrorCode::kPermission : ErrorCode::kInvalidInput,
                     "cannot open event file '" + path + "': " + std::strerror(err));
  }
  return std::make_unique<BufferedWriter>(fd, true);
}

void BufferedWriter::Append(std::string_view text) {
  buffer_.append(text);
  MaybeFlush();
}

void BufferedWriter::MaybeFlush() {
  if (buffer_.size() >= kFlushBytes) Flush();
}

void BufferedWriter::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ++failed_writes_;
      last_error_ = errno;
      break;
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace sysfence::run
