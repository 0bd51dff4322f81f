// SPDX-License-Identifier: Apache-2.0
// Facts about systemd that the drop-in writer needs: its architecture names, the system calls its
// allow lists always permit, the address family names RestrictAddressFamilies= takes, and how a
// path is quoted in a unit file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/arch.h"

namespace sysfence::formats::systemd {

/// systemd's name of an ABI for SystemCallArchitectures= ("x86-64", "arm64", "ppc64-le", ...).
std::string_view ArchName(Arch arch);

/// The system calls systemd adds to every SystemCallFilter= allow list (its "@default" set), as
/// `systemd-analyze syscall-filter @default` prints it for systemd 252 (Debian 12). systemd's
/// manual (systemd.exec(5), SystemCallFilter=) names execve, exit, exit_group, getrlimit,
/// rt_sigreturn, sigreturn "and the system calls for querying time and sleeping"; the set grows
/// with newer versions. Sorted.
std::span<const std::string_view> AlwaysAllowed();

/// True when `name` is in AlwaysAllowed().
bool IsAlwaysAllowed(std::string_view name);

/// Number of address families RestrictAddressFamilies= can name (AF_MAX of Linux 6.1).
inline constexpr uint32_t kAddressFamilyCount = 46;

/// The AF_* name systemd accepts for family `value` (AF_UNIX rather than AF_LOCAL or AF_FILE,
/// AF_NETLINK rather than AF_ROUTE), or empty when sysfence's constants name none (AF_UNSPEC
/// has no use there and is empty too).
std::string AddressFamilyName(uint32_t value);

/// `path` as one word of a unit-file list: `%` doubled (specifiers), and quoted with `\` and `"`
/// escaped when it holds white space, quotes or backslashes.
std::string QuotePath(std::string_view path);

}  // namespace sysfence::formats::systemd
