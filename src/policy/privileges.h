// SPDX-License-Identifier: Apache-2.0
// The names behind a policy's `caps`, `unshare` and `rlimit` lines: capabilities (capabilities(7)),
// namespace words (unshare(2)) and resources (getrlimit(2)), with how a limit value is written.
// Pure tables: the numbers are Linux's, the same on every ABI sysfence knows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// The highest capability number this table knows (CAP_CHECKPOINT_RESTORE, Linux 5.9).
inline constexpr int kLastCapability = 40;

/// A capability: its name as capabilities(7) writes it and its number.
struct CapabilityEntry {
  std::string_view name;  ///< "CAP_NET_RAW"
  int number = 0;
};

/// Every capability, by number (CAP_CHOWN first).
std::span<const CapabilityEntry> AllCapabilities();

/// The number of `name` ("CAP_NET_RAW"), or nullopt.
std::optional<int> CapabilityFromName(std::string_view name);

/// The name of capability `number` ("CAP_NET_RAW"), or "cap_N" for a number past the table.
std::string CapabilityName(int number);

/// An `unshare` word and the namespace it names.
struct NamespaceEntry {
  std::string_view word;  ///< "net"
  Namespace ns;
};

/// Every namespace word, in canonical order (net ipc uts pid mount user cgroup).
std::span<const NamespaceEntry> AllNamespaces();

/// The namespace `word` names, or nullopt.
std::optional<Namespace> NamespaceFromWord(std::string_view word);

/// The words of `namespaces` (Namespace bits), in canonical order.
std::vector<std::string_view> NamespaceWords(uint32_t namespaces);

/// Why `unshare pid` alone is refused: a new PID namespace gets a fresh /proc only in a mount
/// namespace of its own (without one the program would see the host's processes in /proc).
inline constexpr std::string_view kPidNeedsMount =
    "'unshare pid' needs 'mount' beside it: the new PID namespace gets a /proc of its own only in a "
    "mount namespace of its own (without one, /proc would still show the host's processes)";
/// The fix for kPidNeedsMount.
inline constexpr std::string_view kPidNeedsMountHint = "write 'unshare pid mount'";

/// What a resource's limit counts, which decides how its values may be written.
enum class LimitUnit : uint8_t {
  kBytes,         ///< sizes: `64M` (K, M, G, T are powers of 1024)
  kCount,         ///< files, processes, locks, signals: plain numbers
  kSeconds,       ///< CPU time
  kMicroseconds,  ///< real-time CPU time
  kPriority,      ///< NICE (0..40, meaning nice 20-N) and RTPRIO (0..99)
};

/// A resource: its `rlimit` name, its unit, and the largest value the kernel gives meaning to
/// (kRlimitUnlimited when any value is accepted).
struct ResourceEntry {
  std::string_view name;  ///< "NOFILE"
  Resource resource;
  LimitUnit unit;
  uint64_t max = kRlimitUnlimited;
};

/// Every resource, by number (CPU first).
std::span<const ResourceEntry> AllResources();

/// The resource `name` names ("NOFILE", or "RLIMIT_NOFILE"), or nullptr.
const ResourceEntry* FindResource(std::string_view name);

/// The entry of `resource`.
const ResourceEntry& ResourceInfo(Resource resource);

/// `value` as an `rlimit` line writes it: "unlimited", a size with the largest exact suffix for
/// bytes ("64M"), else decimal.
std::string FormatLimit(Resource resource, uint64_t value);

/// Reports what makes the caps, unshare and rlimit lines of a policy built in code invalid (the
/// parser reports the same at the token): capabilities known, sorted and listed once; namespaces
/// known and at least one, `pid` only with `mount`; one line per resource, values in range, soft not above hard.
void CheckPrivileges(const Policy& policy, Diagnostics& diagnostics);

/// The caps, unshare and rlimit lines that let through what any of `policies` lets through (as
/// merging runs' policies needs): kept capabilities unite, but a policy without `caps` leaves
/// capabilities alone, so then the union has none; namespaces are unshared only where every policy
/// unshares them; a resource is limited only where every policy limits it, to the largest soft and
/// hard limits. Spans and comments are the first policy's.
void UnitePrivileges(std::span<const Policy> policies, Policy& united);

/// The `caps`, `unshare` and `rlimit` lines of `policy` in canonical form (no comments).
std::vector<std::string> PrivilegeLines(const Policy& policy);

}  // namespace sysfence::policy
