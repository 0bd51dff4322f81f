// SPDX-License-Identifier: Apache-2.0
// The one writer of output files (-o, --json, fmt -w): never replaces what is not a regular file,
// never reports a short write as success.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace sysfence::cli {

/// Writes `data` to `path`, or to standard output for "-".
///  - a new path or an existing regular file is replaced atomically: a temporary file in the same
///    folder, fsync, rename, keeping the original's permission bits (a new file gets 0666 & ~umask);
///  - a symlink, device, FIFO or socket is written through (opened for writing and truncated where
///    that means anything), never replaced, so `-o /dev/null` or `-o /dev/stdout` stay what they are;
///  - a directory is refused (kInvalidInput).
/// Any failure to open, write or flush (ENOSPC, /dev/full, EIO) is an error naming the file: kOs,
/// kPermission when refused, kInvalidInput when the folder does not exist.
[[nodiscard]] Result<void> WriteOutputFile(const std::string& path, std::string_view data);

}  // namespace sysfence::cli
