// SPDX-License-Identifier: Apache-2.0
#include "os/kmsg_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sysfence::os {

Result<KmsgReader> KmsgReader::Open() {
  UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    const ErrorCode code = err == EPERM || err == EACCES ? ErrorCode::kPermission
                           : err == ENOENT                ? ErrorCode::kUnsupported
                                                          : ErrorCode::kOs;
    return MakeError(code, std::string("cannot read the kernel log /dev/kmsg (needs CAP_SYSLOG or "
                                       "kernel.dmesg_restrict=0): ") + std::strerror(err));
  }
  // Only what happens from now on: the log's history was reported (or not) by whoever read it then.
  if (lseek(fd.get(), 0, SEEK_END) < 0) {
    return MakeError(ErrorCode::kOs, std::string("cannot seek to the end of /dev/kmsg: ") + std::strerror(errno));
  }
  return KmsgReader(std::move(fd));
}

Result<void> KmsgReader::Drain(const std::function<void(std::string_view record)>& on_record) {
  // A record is at most 8 KiB of text plus its prefix (a read with a smaller buffer fails EINVAL).
  char buffer[16384];
  for (;;) {
    const ssize_t got = read(fd_.get(), buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Ok();
      if (errno == EPIPE) {  // the log wrapped past us; the next read resumes at the oldest record
        ++overwritten_;
        continue;
      }
      return MakeError(ErrorCode::kOs, std::string("reading /dev/kmsg: ") + std::strerror(errno));
    }
    if (got == 0) return Ok();
    on_record(std::string_view(buffer, static_cast<size_t>(got)));
  }
}

}  // namespace sysfence::os
