// SPDX-License-Identifier: Apache-2.0
// A violation event and its two renderings: one JSON object per line (the schema in docs/events.md)
// and a one-line human summary for the terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/action.h"
#include "run/arg_decoder.h"
#include "run/supervised_policy.h"

namespace sysfence::run {

/// What happened to the call an event reports.
enum class Outcome : uint8_t {
  kDenied,        ///< enforce: the call failed with the policy's errno (or ENOSYS for notify rules)
  kKilled,        ///< enforce: the kernel killed the process before the call ran (a `kill` rule)
  kThreadKilled,  ///< enforce: the kernel killed the calling thread (a `kill-thread` rule)
  kTrapped,       ///< enforce: the kernel sent SIGSYS instead of running the call (a `trap` rule)
  kAllowed,    ///< a `log` rule: the call ran and is reported
  kContinued,  ///< monitor: the policy would deny the call; it ran
  kAborted,    ///< the target was interrupted or gone before the supervisor could answer
};

/// "denied", "killed", "thread-killed", "trapped", "allowed", "continued", "aborted".
std::string_view OutcomeName(Outcome outcome);

/// The version of the event schema (docs/events.md): the "schema" field of every JSON line.
inline constexpr int kEventSchemaVersion = 2;

/// Who saw the call an event reports.
enum class EventSource : uint8_t {
  kNotification,  ///< seccomp user notification: arguments decoded, thread known
  kAudit,         ///< the kernel's audit record of a filter denial: no arguments, process only
};

/// "notification" or "audit".
std::string_view EventSourceName(EventSource source);

/// What an event reports.
enum class EventKind : uint8_t {
  kSyscall,   ///< a call the seccomp policy decides ("type": "syscall")
  kLandlock,  ///< an access the fs/net rules deny or would deny ("type": "landlock")
};

/// A Landlock event's object: what was (or would be) denied where.
struct LandlockObject {
  std::vector<std::string> blockers;  ///< the missing rights, as the kernel names them ("fs.read_file")
  std::string path;                   ///< fs: the object, or the directory of a created/removed one
  int port = -1;                      ///< net: the TCP port
  std::string domain;                 ///< enforce: the kernel's Landlock domain id (hex), else ""
};

/// One reported syscall, or one Landlock access made by a syscall.
struct Event {
  EventKind kind = EventKind::kSyscall;
  LandlockObject landlock;  ///< kLandlock only
  EventSource source = EventSource::kNotification;
  int64_t time_ns = 0;  ///< CLOCK_REALTIME
  RunMode mode = RunMode::kEnforce;
  int pid = 0;  ///< process (thread group) id in the supervisor's pid namespace; 0 when not visible
  int tid = 0;  ///< calling thread; 0 when unknown (audit records name the process only)
  std::string comm;
  std::string exe;
  std::string arch;        ///< "x86_64", "x86", "x32", or the AUDIT_ARCH value in hex
  std::string syscall;     ///< name, or "" when the number is unknown on that ABI
  int64_t nr = 0;          ///< as the filter saw it (x32: with the x32 bit)
  std::vector<DecodedArg> args;
  Action action;           ///< what the policy decides
  Outcome outcome = Outcome::kDenied;
  std::string rule;        ///< "file:line", "default" or "badarch"
  std::string suggestion;  ///< a policy line that would allow this call, or "" when there is none
  /// Monitor mode: what the policy's `caps keep` line would have done to this call ("needs
  /// CAP_NET_RAW (socket(AF_INET, SOCK_RAW)), which 'caps keep' drops: ..."), or "" (run/privileges.h).
  std::string privileges;
  uint64_t count = 1;      ///< how many calls of this shape so far (1 = first)
};

/// `text` made safe for a terminal: control bytes, DEL and bytes >= 0x80 become \xNN, and a
/// backslash becomes \\ (program-controlled names cannot move the cursor or fake a line).
std::string TerminalSafe(std::string_view text);

/// CLOCK_REALTIME in nanoseconds: the clock of every event's `time`.
int64_t RealtimeNs();

/// Formats `time_ns` (CLOCK_REALTIME) as RFC 3339 UTC with nanoseconds: 2026-11-23T18:50:01.123456789Z.
std::string FormatRfc3339(int64_t time_ns);

/// Appends `text` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view text);

/// Appends the event as one JSON object and a newline to `out`.
void AppendEventJson(std::string& out, const Event& event);

/// One human-readable line (with newline): "sysfence: denied socket(family=AF_NETLINK, ...) pid 12
/// (curl) by p.sfp:3 [errno EPERM]; to allow: allow socket if family == AF_NETLINK".
std::string EventHumanLine(const Event& event);

/// The summary at the end of a run.
struct RunSummary {
  int64_t time_ns = 0;
  RunMode mode = RunMode::kEnforce;
  int exit_status = 0;
  uint64_t reported_calls = 0;   ///< notified calls that became or were folded into events
  uint64_t distinct_shapes = 0;
  uint64_t alerts_sent = 0;
  uint64_t alerts_dropped = 0;
  uint64_t events_written = 0;   ///< JSON events written
  uint64_t events_aggregated = 0;  ///< calls counted but not written (beyond the per-shape limit or the size cap)
  bool events_capped = false;    ///< the events file reached its size cap
  bool denials_observed = false; ///< enforce: the kernel's denials were read from the audit stream
  uint64_t records_lost = 0;     ///< audit records or fork events the kernel dropped for us
  /// The audit stream had not caught up when the wait at the program's end gave up: denials made
  /// last may be missing from the events.
  bool audit_drain_timed_out = false;
  uint64_t landlock_reported = 0;
  /// Times kernel audit was switched off while the program ran (Landlock denials then go unlogged).
  uint64_t audit_disabled = 0;  ///< Landlock accesses reported (denied, or would be in monitor mode)
  /// How the fs/net rules were applied: "enforced", "observed" (monitor mode), "none" (no rules).
  std::string landlock = "none";
  std::string isolation;         ///< what keeps the program away from sysfence ("landlock+scopes", ...)
  bool sync_wake_up = false;     ///< FD_SYNC_WAKE_UP was in effect
  /// Policy lines that would let every reported call pass under enforcement.
  std::vector<std::string> suggested_lines;
  /// Per syscall: name and count, most frequent first.
  std::vector<std::pair<std::string, uint64_t>> counts;
  /// Enforce mode: calls the policy answered ENOSYS by design so that their callers fall back
  /// (clone3 -> clone; run/rule_attribution.h), per syscall, most frequent first. Not violations:
  /// neither events nor alerts nor part of `reported_calls` and `counts`.
  std::vector<std::pair<std::string, uint64_t>> fallbacks;
};

/// Appends the summary as one JSON object ("type": "summary") and a newline.
void AppendSummaryJson(std::string& out, const RunSummary& summary);

/// The summary for the terminal (several lines).
std::string SummaryHumanText(const RunSummary& summary);

}  // namespace sysfence::run
