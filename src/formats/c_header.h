// SPDX-License-Identifier: Apache-2.0
// A compiled filter as a C header: a `struct sock_filter` array and a `struct sock_fprog` that
// points at it, ready for prctl(PR_SET_SECCOMP) or seccomp(SECCOMP_SET_MODE_FILTER).
#pragma once

#include <string>
#include <string_view>

#include "bpf/program.h"

namespace sysfence::formats {

/// The header text for `program`. `name` becomes the C identifier prefix (characters that cannot be
/// in an identifier become '_'): NAME_filter[] and NAME_fprog. Each instruction carries its
/// disassembly as a comment. Deterministic.
std::string ExportCHeader(const bpf::Program& program, std::string_view name);

/// `name` as a C identifier: [A-Za-z0-9_], not starting with a digit, never empty.
std::string CIdentifier(std::string_view name);

}  // namespace sysfence::formats
