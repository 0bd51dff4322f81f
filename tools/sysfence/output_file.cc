// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sysfence::cli {
namespace {

Error WriteError(const std::string& shown, int err) {
  // A folder that does not exist is a mistake in the command line; the rest is the environment.
  const ErrorCode code = err == ENOENT || err == ENOTDIR                ? ErrorCode::kInvalidInput
                         : err == EACCES || err == EPERM || err == EROFS ? ErrorCode::kPermission
                                                                         : ErrorCode::kOs;
  const std::string what = shown == "standard output" ? shown : "'" + shown + "'";
  return MakeError(code, "cannot write " + what + ": " + std::strerror(err));
}

// Writes all of `data` to `fd`; returns 0 or the errno of the failure.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t done = write(fd, data.data(), data.size());
    if (done < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (done == 0) return EIO;
    data.remove_prefix(static_cast<size_t>(done));
  }
  return 0;
}

Result<void> WriteStandardOutput(std::string_view data) {
  std::fflush(stdout);  // what was printed before comes first
  if (int err = WriteAll(STDOUT_FILENO, data); err != 0) return WriteError("standard output", err);
  return Ok();
}

// Writes through whatever `path` names (a symlink's target, a device, a FIFO): no temporary file, no
// rename, so the thing itself stays.
Result<void> WriteThrough(const std::string& path, std::string_view data) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) return WriteError(path, errno);
  int err = WriteAll(fd, data);
  struct stat st {};
  // A regular file behind a symlink is flushed like one written atomically; fsync on a device or FIFO
  // means nothing (and fails with EINVAL on some).
  if (err == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err != 0) return WriteError(path, err);
  return Ok();
}

// The mode a newly created file gets: 0666 less the umask (which can only be read by setting it).
mode_t NewFileMode() {
  const mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

// Replaces the regular file (or creates the new one) at `path`: temporary file beside it, fsync,
// rename, so readers see the old content or the new, never half of it.
Result<void> ReplaceAtomically(const std::string& path, std::string_view data, mode_t mode) {
  std::string temp = path + ".sysfence-XXXXXX";
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return WriteError(path, errno);
  int err = fchmod(fd, mode) == 0 ? 0 : errno;
  if (err == 0) err = WriteAll(fd, data);
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err == 0 && rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    unlink(temp.c_str());
    return WriteError(path, err);
  }
  return Ok();
}

}  // namespace

Result<void> WriteOutputFile(const std::string& path, std::string_view data) {
  if (path == "-") return WriteStandardOutput(data);
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return WriteError(path, errno);
    return ReplaceAtomically(path, data, NewFileMode());
  }
  if (S_ISDIR(st.st_mode)) return MakeError(ErrorCode::kInvalidInput, "cannot write '" + path + "': it is a directory");
  if (S_ISREG(st.st_mode)) return ReplaceAtomically(path, data, st.st_mode & 07777);
  return WriteThrough(path, data);
}

}  // namespace sysfence::cli
