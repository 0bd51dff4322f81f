// SPDX-License-Identifier: Apache-2.0
// The Landlock kernel interface, restated: the build machine's UAPI headers (6.1) stop at ABI 2, so
// every constant and struct sysfence uses is defined here, under its own names, from the kernel's
// documented ABI (Documentation/userspace-api/landlock.rst, include/uapi/linux/landlock.h).
#pragma once

#include <cstdint>

namespace sysfence::os::landlock_uapi {

/// Syscall numbers; identical on every architecture sysfence runs on (the unified table).
inline constexpr long kSysCreateRuleset = 444;
inline constexpr long kSysAddRule = 445;
inline constexpr long kSysRestrictSelf = 446;

/// landlock_create_ruleset() flags.
inline constexpr uint32_t kCreateRulesetVersion = 1u << 0;
inline constexpr uint32_t kCreateRulesetErrata = 1u << 1;  ///< ABI 7: bitmask of fixed errata

/// Rule types for landlock_add_rule().
inline constexpr int kRulePathBeneath = 1;
inline constexpr int kRuleNetPort = 2;  ///< ABI 4

/// File-system rights (handled_access_fs / allowed_access of a path rule).
inline constexpr uint64_t kFsExecute = 1ull << 0;
inline constexpr uint64_t kFsWriteFile = 1ull << 1;
inline constexpr uint64_t kFsReadFile = 1ull << 2;
inline constexpr uint64_t kFsReadDir = 1ull << 3;
inline constexpr uint64_t kFsRemoveDir = 1ull << 4;
inline constexpr uint64_t kFsRemoveFile = 1ull << 5;
inline constexpr uint64_t kFsMakeChar = 1ull << 6;
inline constexpr uint64_t kFsMakeDir = 1ull << 7;
inline constexpr uint64_t kFsMakeReg = 1ull << 8;
inline constexpr uint64_t kFsMakeSock = 1ull << 9;
inline constexpr uint64_t kFsMakeFifo = 1ull << 10;
inline constexpr uint64_t kFsMakeBlock = 1ull << 11;
inline constexpr uint64_t kFsMakeSym = 1ull << 12;
inline constexpr uint64_t kFsRefer = 1ull << 13;     ///< ABI 2
inline constexpr uint64_t kFsTruncate = 1ull << 14;  ///< ABI 3
inline constexpr uint64_t kFsIoctlDev = 1ull << 15;  ///< ABI 5

/// Rights that make sense on a regular file (the kernel rejects the others with EINVAL there).
inline constexpr uint64_t kFsFileRights = kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;

/// Network rights (handled_access_net / allowed_access of a port rule), ABI 4.
inline constexpr uint64_t kNetBindTcp = 1ull << 0;
inline constexpr uint64_t kNetConnectTcp = 1ull << 1;

/// IPC scopes (the ruleset's `scoped` field), ABI 6.
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0;
inline constexpr uint64_t kScopeSignal = 1ull << 1;

/// landlock_restrict_self() flags: audit logging (ABI 7) and thread synchronization (ABI 8).
inline constexpr uint32_t kRestrictSelfLogSameExecOff = 1u << 0;
inline constexpr uint32_t kRestrictSelfLogNewExecOn = 1u << 1;
inline constexpr uint32_t kRestrictSelfLogSubdomainsOff = 1u << 2;
inline constexpr uint32_t kRestrictSelfTsync = 1u << 3;

/// struct landlock_ruleset_attr as of ABI 6. Older kernels take a prefix: 8 bytes (ABI 1-3),
/// 16 bytes (ABI 4-5); see RulesetAttrSize.
struct RulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;
  uint64_t scoped = 0;
};
static_assert(sizeof(RulesetAttr) == 24);

/// The size of RulesetAttr an ABI understands.
constexpr unsigned RulesetAttrSize(int abi) { return abi >= 6 ? 24 : abi >= 4 ? 16 : 8; }

/// struct landlock_path_beneath_attr (packed: 12 bytes).
struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access = 0;
  int32_t parent_fd = -1;
};
static_assert(sizeof(PathBeneathAttr) == 12);

/// struct landlock_net_port_attr, ABI 4.
struct NetPortAttr {
  uint64_t allowed_access = 0;
  uint64_t port = 0;
};
static_assert(sizeof(NetPortAttr) == 16);

}  // namespace sysfence::os::landlock_uapi
