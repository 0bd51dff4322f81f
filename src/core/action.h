// SPDX-License-Identifier: Apache-2.0
// What a filter decides for a syscall, and its encoding as a seccomp return value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sysfence {

/// seccomp return values (SECCOMP_RET_*), defined here so the pure libraries need no kernel header.
namespace seccomp_ret {
inline constexpr uint32_t kKillProcess = 0x80000000u;
inline constexpr uint32_t kKillThread = 0x00000000u;
inline constexpr uint32_t kTrap = 0x00030000u;
inline constexpr uint32_t kErrno = 0x00050000u;
inline constexpr uint32_t kUserNotif = 0x7fc00000u;
inline constexpr uint32_t kTrace = 0x7ff00000u;
inline constexpr uint32_t kLog = 0x7ffc0000u;
inline constexpr uint32_t kAllow = 0x7fff0000u;
inline constexpr uint32_t kActionFullMask = 0xffff0000u;
inline constexpr uint32_t kDataMask = 0x0000ffffu;
}  // namespace seccomp_ret

/// The kinds of action, in the kernel's order of precedence (most restrictive first).
enum class ActionKind : uint8_t {
  kKillProcess,
  kKillThread,
  kTrap,
  kErrno,
  kNotify,
  kTrace,
  kLog,
  kAllow,
};

/// Largest errno a filter may return (the kernel caps SECCOMP_RET_DATA at MAX_ERRNO).
inline constexpr uint32_t kMaxErrno = 4095;

/// An action with its data (the errno for kErrno, the tracer's message for kTrace/kTrap).
struct Action {
  ActionKind kind = ActionKind::kKillProcess;
  uint16_t data = 0;

  static constexpr Action Allow() { return {ActionKind::kAllow, 0}; }
  static constexpr Action Log() { return {ActionKind::kLog, 0}; }
  static constexpr Action Errno(uint16_t err) { return {ActionKind::kErrno, err}; }
  static constexpr Action KillProcess() { return {ActionKind::kKillProcess, 0}; }
  static constexpr Action KillThread() { return {ActionKind::kKillThread, 0}; }
  static constexpr Action Trap(uint16_t data = 0) { return {ActionKind::kTrap, data}; }
  static constexpr Action Notify() { return {ActionKind::kNotify, 0}; }
  static constexpr Action Trace(uint16_t data = 0) { return {ActionKind::kTrace, data}; }

  /// The 32-bit value a seccomp filter returns for this action.
  uint32_t ToSeccompRet() const;
  /// Decodes a filter's return value; unknown action bits decode the way the kernel treats them
  /// (as kill-process).
  static Action FromSeccompRet(uint32_t ret);

  /// True for actions that let the syscall run (allow, log).
  bool Permits() const { return kind == ActionKind::kAllow || kind == ActionKind::kLog; }

  /// Human form, as the CLI prints it: "allow", "log", "errno(EPERM)", "kill", "kill-thread",
  /// "trap", "trap(7)", "notify", "trace(3)".
  std::string ToString() const;
  /// Policy-language form: "allow", "errno EPERM", "kill", ...
  std::string ToPolicyText() const;

  friend bool operator==(const Action&, const Action&) = default;
};

/// Policy-language keyword of an action kind: "allow", "log", "errno", "kill", "kill-thread", "trap",
/// "notify", "trace".
std::string_view ActionKeyword(ActionKind kind);

/// Parses an action keyword ("kill-process" is accepted for "kill").
std::optional<ActionKind> ActionKindFromKeyword(std::string_view keyword);

}  // namespace sysfence
