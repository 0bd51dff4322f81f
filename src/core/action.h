// SPDX-License-Identifier: Apache-2.0
// What a filter decides for a syscall, and its encoding as a seccomp return value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

// --- The action-text grammar -----------------------------------------------------------------
// One grammar for every place that reads an action (the .sfp parser, the public API, CLI options,
// BPF assembly text):
//
//   action := keyword [value] | keyword "(" value ")"
//   keyword: allow | log | errno | kill | kill-process | kill-thread | trap | notify | trace
//   value:   errno: an errno name (EPERM) or a number 1..4095 (required);
//            trap, trace: a number 0..65535 (optional); the others take none.
//   numbers: 42, 0x2a, 0b101010, 0o52, 052 (core/number_literal.h)
//
// Both forms Action prints (ToPolicyText "errno EPERM", ToString "errno(EPERM)") parse back to
// the same action. Errors carry the byte range of the offending part, which each front end turns
// into file:line:col, a JSON path or a call number.

/// What an action kind takes after its keyword.
enum class ActionValueUse : uint8_t { kNone, kOptional, kRequired };

/// kRequired for errno, kOptional for trap and trace, kNone for the rest.
ActionValueUse ActionValueUseOf(ActionKind kind);

/// Which values the grammar accepts.
enum class ActionTextMode : uint8_t {
  kPolicy,        ///< what a policy may write: errno 1..4095
  kFilterReturn,  ///< any data a filter's return can carry (errno 0..65535), as BPF assembly writes it
};

/// Why action text did not parse, in the policy language's words.
struct ActionTextError {
  enum class Kind : uint8_t {
    kNoAction,         ///< nothing (or not a word) where an action belongs
    kUnknownAction,    ///< a word that is no action keyword
    kMissingValue,     ///< errno without its value
    kUnexpectedValue,  ///< a value after an action that takes none, or text after the value
    kUnknownValue,     ///< a value that is neither an errno name nor a number
    kOutOfRange,       ///< errno outside 1..4095, trap/trace data outside 0..65535
    kMalformed,        ///< "errno(EPERM" and the like
  };
  Kind kind = Kind::kNoAction;
  size_t offset = 0;  ///< where the problem starts, in bytes from the start of the text
  size_t length = 0;  ///< how many bytes it covers (0 at the end of the text)
  std::string message;
  std::string hint;   ///< "did you mean 'allow'?" or how to write it; may be empty
};

/// An action (or a part of one) read from text, or why it could not be.
template <typename T>
struct ActionTextResult {
  std::optional<T> value;  ///< set on success
  ActionTextError error;   ///< meaningful only without a value
  bool ok() const { return value.has_value(); }
};

/// Every action keyword the grammar accepts, for suggestions.
std::span<const std::string_view> ActionKeywords();

/// Every errno name (primary names, by number), for suggestions.
std::span<const std::string_view> ErrnoNames();

/// Reads an action keyword; the error (kUnknownAction) covers the whole word.
ActionTextResult<ActionKind> ParseActionKeyword(std::string_view word);

/// The errno action named `name` ("EPERM"); the error (kUnknownValue) covers the name.
ActionTextResult<Action> ActionWithErrnoName(std::string_view name);

/// The `kind` action with number `value` (negative when written with a minus), `written` being the
/// value as written ("-1", "0x26") for the message. Errors: kUnexpectedValue, kOutOfRange.
ActionTextResult<Action> ActionWithNumber(ActionKind kind, bool negative, uint64_t value, std::string_view written,
                                          ActionTextMode mode = ActionTextMode::kPolicy);

/// The error for a `kind` keyword with nothing after it although it needs a value (kMissingValue).
ActionTextError MissingActionValue(ActionKind kind);

/// Reads a whole action: "allow", "errno EPERM", "errno(38)", "trap 7", "kill-process", with
/// blanks around it allowed.
ActionTextResult<Action> ParseActionText(std::string_view text, ActionTextMode mode = ActionTextMode::kPolicy);

}  // namespace sysfence
