// SPDX-License-Identifier: Apache-2.0
#include "core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sysfence {
namespace {

// What a file of this mode is, for "is a directory" style messages.
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string LimitText(size_t limit) {
  if (limit % (size_t{1} << 20) == 0) return std::to_string(limit >> 20) + " MiB";
  return std::to_string(limit) + " bytes";
}

Error OpenError(const std::string& shown, int err) {
  const ErrorCode code = err == ENOENT || err == ENOTDIR ? ErrorCode::kNotFound
                         : err == EACCES || err == EPERM ? ErrorCode::kPermission
                                                         : ErrorCode::kInvalidInput;
  return MakeError(code, "cannot open '" + shown + "': " + std::strerror(err));
}

// Reads `fd` to its end, failing once more than `limit` bytes arrive.
Result<std::string> ReadAll(int fd, const std::string& shown, size_t limit) {
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kInvalidInput, "cannot read '" + shown + "': " + std::strerror(errno));
    }
    if (got == 0) return data;
    if (data.size() + static_cast<size_t>(got) > limit) {
      return MakeError(ErrorCode::kLimit, "'" + shown + "' is larger than the " + LimitText(limit) + " input limit");
    }
    data.append(buffer, static_cast<size_t>(got));
  }
}

}  // namespace

Result<std::string> ReadInputFile(const std::string& path, size_t limit) {
  if (path == "-") {
    struct stat st {};
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISDIR(st.st_mode)) {
      return MakeError(ErrorCode::kInvalidInput, "standard input is a directory");
    }
    return ReadAll(STDIN_FILENO, "<stdin>", limit);
  }
  // Look before opening: opening a FIFO blocks until a writer comes, opening a device may act.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return OpenError(path, errno);
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidInput, "cannot read '" + path + "': it is " + KindOf(st.st_mode) +
                                                   ", not a file");
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > limit) {
    return MakeError(ErrorCode::kLimit, "'" + path + "' is larger than the " + LimitText(limit) + " input limit");
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return OpenError(path, errno);
  // The path may have changed between stat and open: check what was opened.
  if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))) {
    close(fd);
    return MakeError(ErrorCode::kInvalidInput, "cannot read '" + path + "': not a file");
  }
  Result<std::string> data = ReadAll(fd, path, limit);
  close(fd);
  return data;
}

}  // namespace sysfence
