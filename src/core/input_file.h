// SPDX-License-Identifier: Apache-2.0
// The one reader of input files (policies, OCI/Kubernetes JSON, recordings, raw BPF, assembly):
// bounded in size and refusing what is not a file, so a directory or /dev/zero is a clear error.
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"

namespace sysfence {

/// The largest input sysfence reads: 16 MiB, far above any real policy, profile or recording.
inline constexpr size_t kMaxInputBytes = size_t{16} << 20;

/// Reads the whole of `path`, or standard input for "-". Regular files and pipes (FIFOs, process
/// substitution) are read; a directory, device or socket is refused, and so is input longer than
/// `limit` bytes. Every error (kNotFound, kInvalidInput, kPermission, kLimit) names the file.
[[nodiscard]] Result<std::string> ReadInputFile(const std::string& path, size_t limit = kMaxInputBytes);

}  // namespace sysfence
