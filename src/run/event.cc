// SPDX-License-Identifier: Apache-2.0
#include "run/event.h"

#include <fmt/format.h>

#include <ctime>

namespace sysfence::run {
namespace {

std::string_view ArgKindName(DecodedArg::Kind kind) {
  switch (kind) {
    case DecodedArg::Kind::kNumber: return "number";
    case DecodedArg::Kind::kConstant: return "constant";
    case DecodedArg::Kind::kFlags: return "flags";
    case DecodedArg::Kind::kFd: return "fd";
    case DecodedArg::Kind::kPath: return "path";
    case DecodedArg::Kind::kPointer: return "pointer";
  }
  return "number";
}

// What a person reads for one argument: the decoded text, else the number.
std::string ArgDisplay(const DecodedArg& arg) {
  switch (arg.kind) {
    case DecodedArg::Kind::kConstant:
    case DecodedArg::Kind::kFlags: return arg.text;
    case DecodedArg::Kind::kFd: return fmt::format("{}<{}>", static_cast<int32_t>(arg.value), arg.text);
    case DecodedArg::Kind::kPath: {
      std::string quoted;
      AppendJsonString(quoted, arg.text);
      return quoted;
    }
    case DecodedArg::Kind::kPointer: return fmt::format("{:#x}", arg.value);
    case DecodedArg::Kind::kNumber:
      // Small negative numbers (fd -1, AT_* values) read better signed.
      if (arg.value >= 0xfffffffffffff000ull) return fmt::format("{}", static_cast<int64_t>(arg.value));
      return arg.value < 4096 ? fmt::format("{}", arg.value) : fmt::format("{:#x}", arg.value);
  }
  return fmt::format("{}", arg.value);
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDenied: return "denied";
    case Outcome::kKilled: return "killed";
    case Outcome::kThreadKilled: return "thread-killed";
    case Outcome::kTrapped: return "trapped";
    case Outcome::kAllowed: return "allowed";
    case Outcome::kContinued: return "continued";
    case Outcome::kAborted: return "aborted";
  }
  return "denied";
}

int64_t RealtimeNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

std::string FormatRfc3339(int64_t time_ns) {
  const time_t seconds = static_cast<time_t>(time_ns / 1'000'000'000);
  const int64_t nanos = time_ns % 1'000'000'000;
  tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, nanos);
}

std::string_view EventSourceName(EventSource source) {
  return source == EventSource::kAudit ? "audit" : "notification";
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
        } else if (u >= 0x80) {
          // Target memory and /proc names need not be UTF-8: escape high bytes so every line is
          // valid JSON (a consumer sees \u00XX for each raw byte).
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

// The "landlock" object of a Landlock event (the same fields `sysfence watch` writes).
void AppendLandlockJson(std::string& out, const LandlockObject& object) {
  out += ",\"landlock\":{\"blockers\":[";
  for (size_t i = 0; i < object.blockers.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, object.blockers[i]);
  }
  out += ']';
  if (!object.path.empty()) {
    out += ",\"path\":";
    AppendJsonString(out, object.path);
  }
  if (object.port >= 0) fmt::format_to(std::back_inserter(out), ",\"port\":{}", object.port);
  if (!object.domain.empty()) {
    out += ",\"domain\":";
    AppendJsonString(out, object.domain);
  }
  out += '}';
}

}  // namespace

void AppendEventJson(std::string& out, const Event& event) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{{\"type\":\"{}\",\"schema\":{},\"source\":\"{}\",\"time\":\"",
                 event.kind == EventKind::kLandlock ? "landlock" : "syscall", kEventSchemaVersion,
                 EventSourceName(event.source));
  out += FormatRfc3339(event.time_ns);
  fmt::format_to(it, "\",\"mode\":\"{}\",\"pid\":{},\"tid\":{},\"comm\":", RunModeName(event.mode), event.pid,
                 event.tid);
  AppendJsonString(out, event.comm);
  out += ",\"exe\":";
  AppendJsonString(out, event.exe);
  out += ",\"arch\":";
  AppendJsonString(out, event.arch);
  out += ",\"syscall\":";
  AppendJsonString(out, event.syscall);
  fmt::format_to(it, ",\"nr\":{},\"args\":[", event.nr);
  bool first = true;
  for (const DecodedArg& arg : event.args) {
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    AppendJsonString(out, arg.name);
    fmt::format_to(it, ",\"value\":{},\"kind\":\"{}\"", arg.value, ArgKindName(arg.kind));
    if (arg.kind == DecodedArg::Kind::kPointer) {
      fmt::format_to(it, ",\"text\":\"{:#x}\"", arg.value);
    } else if (arg.kind != DecodedArg::Kind::kNumber) {
      out += ",\"text\":";
      AppendJsonString(out, arg.text);
    }
    out += '}';
  }
  out += "],\"action\":";
  if (event.kind == EventKind::kLandlock) {
    out += "\"deny\"";
  } else {
    AppendJsonString(out, event.action.ToPolicyText());
  }
  fmt::format_to(it, ",\"outcome\":\"{}\",\"rule\":", OutcomeName(event.outcome));
  if (event.kind == EventKind::kLandlock && event.rule.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, event.rule);
  }
  out += ",\"suggest\":";
  if (event.suggestion.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, event.suggestion);
  }
  if (!event.privileges.empty()) {
    out += ",\"privileges\":";
    AppendJsonString(out, event.privileges);
  }
  if (event.kind == EventKind::kLandlock) AppendLandlockJson(out, event.landlock);
  fmt::format_to(it, ",\"count\":{}}}\n", event.count);
}

namespace {

// "sysfence: landlock would deny fs.read_file on /etc/shadow: openat [x86_64] pid 12 (cat); to
// allow: fs read-file /etc/shadow".
std::string LandlockHumanLine(const Event& event) {
  std::string what;
  for (size_t i = 0; i < event.landlock.blockers.size(); ++i) {
    if (i > 0) what += ',';
    what += event.landlock.blockers[i];
  }
  const std::string object =
      event.landlock.port >= 0 ? fmt::format("port {}", event.landlock.port) : event.landlock.path;
  std::string line = fmt::format("sysfence: landlock {} {} on {}: {} [{}] pid {} ({})",
                                 event.outcome == Outcome::kContinued ? "would deny" : "denied", what, object,
                                 event.syscall.empty() ? fmt::format("syscall#{}", event.nr) : event.syscall,
                                 event.arch, event.pid, event.comm);
  if (!event.suggestion.empty()) line += fmt::format("; to allow: {}", event.suggestion);
  return TerminalSafe(line) + '\n';
}

}  // namespace

std::string EventHumanLine(const Event& event) {
  if (event.kind == EventKind::kLandlock) return LandlockHumanLine(event);
  std::string call = event.syscall.empty() ? fmt::format("syscall#{}", event.nr) : event.syscall;
  call += '(';
  for (size_t i = 0; i < event.args.size(); ++i) {
    if (i > 0) call += ", ";
    call += ArgDisplay(event.args[i]);
  }
  call += ')';
  std::string verb;
  switch (event.outcome) {
    case Outcome::kDenied: verb = "denied"; break;
    case Outcome::kKilled: verb = "killed for"; break;
    case Outcome::kThreadKilled: verb = "killed a thread for"; break;
    case Outcome::kTrapped: verb = "trapped"; break;
    case Outcome::kAllowed: verb = "logged"; break;
    case Outcome::kContinued: verb = "would deny"; break;
    case Outcome::kAborted: verb = "aborted"; break;
  }
  std::string line = fmt::format("sysfence: {} {} [{}] pid {} ({}) {} {}", verb, call, event.arch, event.pid,
                                 event.comm, event.rule == "default" || event.rule == "badarch" ? "by" : "by rule",
                                 event.rule);
  line += fmt::format(" -> {}", event.action.ToPolicyText());
  if (!event.suggestion.empty() && event.outcome != Outcome::kAllowed) {
    line += fmt::format("; to allow: {}", event.suggestion);
  }
  if (!event.privileges.empty()) line += "; caps: " + event.privileges;
  // comm, paths and argument text come from the program: nothing it writes may steer the terminal.
  return TerminalSafe(line) + '\n';
}

void AppendSummaryJson(std::string& out, const RunSummary& summary) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{{\"type\":\"summary\",\"schema\":{},\"time\":\"", kEventSchemaVersion);
  out += FormatRfc3339(summary.time_ns);
  fmt::format_to(it,
                 "\",\"mode\":\"{}\",\"exit_status\":{},\"reported_calls\":{},\"distinct\":{},\"alerts_sent\":{},"
                 "\"alerts_dropped\":{},\"events_written\":{},\"events_aggregated\":{},\"events_capped\":{},"
                 "\"denials_observed\":{},\"records_lost\":{},\"landlock\":\"{}\",\"landlock_reported\":{},"
                 "\"audit_disabled\":{},\"audit_drain_timed_out\":{},\"sync_wake_up\":{},\"isolation\":",
                 RunModeName(summary.mode), summary.exit_status, summary.reported_calls, summary.distinct_shapes,
                 summary.alerts_sent, summary.alerts_dropped, summary.events_written, summary.events_aggregated,
                 summary.events_capped, summary.denials_observed, summary.records_lost, summary.landlock,
                 summary.landlock_reported, summary.audit_disabled, summary.audit_drain_timed_out,
                 summary.sync_wake_up);
  AppendJsonString(out, summary.isolation);
  out += ",\"suggested_lines\":[";
  for (size_t i = 0; i < summary.suggested_lines.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, summary.suggested_lines[i]);
  }
  out += "],\"counts\":[";
  for (size_t i = 0; i < summary.counts.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"syscall\":";
    AppendJsonString(out, summary.counts[i].first);
    fmt::format_to(it, ",\"count\":{}}}", summary.counts[i].second);
  }
  out += "],\"fallbacks\":[";
  for (size_t i = 0; i < summary.fallbacks.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"syscall\":";
    AppendJsonString(out, summary.fallbacks[i].first);
    fmt::format_to(it, ",\"count\":{}}}", summary.fallbacks[i].second);
  }
  out += "]}\n";
}

namespace {
constexpr const char* kDrainTimedOutWarning =
    "sysfence: warning: the kernel's audit stream had not caught up 10 s after the program ended: denials made "
    "last may be missing from the report (they were enforced)\n";
}  // namespace

std::string SummaryHumanText(const RunSummary& summary) {
  std::string text;
  if (summary.reported_calls == 0 && summary.landlock_reported == 0 && summary.audit_disabled == 0) {
    return fmt::format("sysfence: {} mode: no violations{}\n", RunModeName(summary.mode),
                       summary.audit_drain_timed_out ? " seen" : "") +
           (summary.audit_drain_timed_out ? std::string(kDrainTimedOutWarning) : std::string());
  }
  text += fmt::format("sysfence: {} mode: {} reported call(s), {} distinct\n", RunModeName(summary.mode),
                      summary.reported_calls, summary.distinct_shapes);
  if (summary.landlock_reported > 0) {
    text += fmt::format("sysfence: {} Landlock access(es) the fs/net rules {}\n", summary.landlock_reported,
                        summary.mode == RunMode::kMonitor ? "would deny" : "denied");
  }
  for (const auto& [name, count] : summary.counts) text += fmt::format("sysfence:   {:>8}  {}\n", count, name);
  if (!summary.suggested_lines.empty()) {
    text += summary.mode == RunMode::kMonitor
                ? "sysfence: add these lines to the policy to let this run pass under enforcement:\n"
                : "sysfence: lines that would have allowed the denied calls:\n";
    for (const std::string& line : summary.suggested_lines) text += "    " + line + "\n";
  }
  if (summary.events_aggregated > 0) {
    text += fmt::format("sysfence: {} repeated call(s) were counted, not written as events{}\n",
                        summary.events_aggregated, summary.events_capped ? " (the events file reached its size cap)" : "");
  }
  if (summary.records_lost > 0) {
    text += fmt::format("sysfence: the kernel dropped {} audit record batch(es): some denials are not reported\n",
                        summary.records_lost);
  }
  if (summary.audit_drain_timed_out) text += kDrainTimedOutWarning;
  if (summary.audit_disabled > 0) {
    text += "sysfence: warning: kernel audit was switched off while the program ran: Landlock denials after "
            "that were enforced but not reported\n";
  }
  if (summary.alerts_dropped > 0) {
    text += fmt::format("sysfence: {} alert(s) dropped by the rate limit\n", summary.alerts_dropped);
  }
  return text;
}

}  // namespace sysfence::run
