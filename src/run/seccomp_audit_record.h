// SPDX-License-Identifier: Apache-2.0
// One kernel audit record of type AUDIT_SECCOMP (1326), parsed: which process made which call and
// what the filter returned. The text is the kernel's ("audit(T:S): auid=... pid=... comm=... exe=...
// sig=... arch=... syscall=... compat=... ip=... code=..."); strings the process controls (comm,
// exe) are written quoted when plain, in hex when they contain spaces, quotes or control bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sysfence::run {

/// The fields of a seccomp audit record that events use.
struct SeccompAuditRecord {
  int pid = 0;             ///< thread group id, as the initial pid namespace sees it
  int64_t uid = -1;
  std::string comm;        ///< decoded (hex undone)
  std::string exe;         ///< decoded; "" when the kernel wrote (null)
  int sig = 0;             ///< the signal the action sends (SIGSYS for kill/trap), else 0
  uint32_t arch = 0;       ///< AUDIT_ARCH_* value
  int64_t syscall = 0;     ///< the number as the filter saw it (x32: with the x32 bit)
  uint64_t ip = 0;         ///< instruction pointer after the syscall instruction
  uint32_t code = 0;       ///< the filter's return with the data bits cleared (SECCOMP_RET_ACTION_FULL)
};

/// Parses the text of a type-1326 record; nullopt when a field events need (pid, arch, syscall,
/// code) is missing or malformed.
std::optional<SeccompAuditRecord> ParseSeccompAuditRecord(std::string_view text);

}  // namespace sysfence::run
