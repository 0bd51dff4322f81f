// SPDX-License-Identifier: Apache-2.0
#include "watch/watch_event.h"

#include <fmt/format.h>

#include <iterator>

#include "core/action.h"
#include "run/event.h"

namespace sysfence::watch {
namespace {

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
  run::AppendJsonString(out, value);
}

// The `fs` rule right that would allow a Landlock fs blocker ("fs.make_reg" -> "make-reg").
std::string FsRight(std::string_view blocker) {
  std::string right(blocker.substr(3));
  for (char& c : right) {
    if (c == '_') c = '-';
  }
  return right;
}

void AppendContainer(std::string& out, const Violation& violation) {
  out += ",\"container\":";
  if (!violation.container.known()) {
    out += "null";
    return;
  }
  out += "{\"runtime\":";
  run::AppendJsonString(out, violation.container.runtime);
  AppendField(out, "id", violation.container.id);
  AppendField(out, "unit", violation.container.unit);
  AppendField(out, "pod_uid", violation.container.pod_uid);
  AppendField(out, "cgroup", violation.container.cgroup);
  out += '}';
}

void AppendLandlock(std::string& out, const Violation& violation) {
  const LandlockAccessRecord& access = violation.access;
  out += ",\"landlock\":{\"domain\":";
  run::AppendJsonString(out, access.domain);
  out += ",\"blockers\":[";
  for (size_t i = 0; i < access.blockers.size(); ++i) {
    if (i != 0) out += ',';
    run::AppendJsonString(out, access.blockers[i]);
  }
  out += ']';
  if (!access.path.empty()) AppendField(out, "path", access.path);
  if (!access.device.empty()) AppendField(out, "dev", access.device);
  if (access.inode != 0) fmt::format_to(std::back_inserter(out), ",\"ino\":{}", access.inode);
  if (!access.address.empty()) AppendField(out, "address", access.address);
  if (access.port >= 0) fmt::format_to(std::back_inserter(out), ",\"port\":{}", access.port);
  if (access.target_pid != 0) fmt::format_to(std::back_inserter(out), ",\"target_pid\":{}", access.target_pid);
  if (!access.target_comm.empty()) AppendField(out, "target_comm", access.target_comm);
  if (violation.domain_pid != 0) fmt::format_to(std::back_inserter(out), ",\"domain_pid\":{}", violation.domain_pid);
  if (!violation.domain_exe.empty()) AppendField(out, "domain_exe", violation.domain_exe);
  out += '}';
}

}  // namespace

std::string_view ViolationKindName(ViolationKind kind) {
  return kind == ViolationKind::kSeccomp ? "seccomp" : "landlock";
}

void SetSeccompDecision(uint32_t code, Violation& violation) {
  switch (code & seccomp_ret::kActionFullMask) {
    case seccomp_ret::kKillProcess: violation.action = "kill"; violation.outcome = "killed"; break;
    case seccomp_ret::kKillThread: violation.action = "kill-thread"; violation.outcome = "thread-killed"; break;
    case seccomp_ret::kTrap: violation.action = "trap"; violation.outcome = "trapped"; break;
    case seccomp_ret::kErrno: violation.action = "errno"; violation.outcome = "denied"; break;
    case seccomp_ret::kUserNotif: violation.action = "notify"; violation.outcome = "notified"; break;
    case seccomp_ret::kTrace: violation.action = "trace"; violation.outcome = "traced"; break;
    case seccomp_ret::kLog: violation.action = "log"; violation.outcome = "allowed"; break;
    case seccomp_ret::kAllow: violation.action = "allow"; violation.outcome = "allowed"; break;
    default:
      violation.action = fmt::format("{:#x}", code);
      violation.outcome = "denied";
      break;
  }
}

std::string SuggestionFor(const Violation& violation) {
  if (violation.kind == ViolationKind::kSeccomp) {
    if (violation.syscall.empty() || violation.action == "log" || violation.action == "allow") return {};
    return "allow " + violation.syscall;
  }
  const LandlockAccessRecord& access = violation.access;
  std::string rights;
  for (const std::string& blocker : access.blockers) {
    if (!blocker.starts_with("fs.")) continue;
    if (!rights.empty()) rights += ' ';
    rights += FsRight(blocker);
  }
  if (!rights.empty() && !access.path.empty()) return fmt::format("fs {} {}", rights, access.path);
  for (const std::string& blocker : access.blockers) {
    if (blocker == "net.connect_tcp" && access.port >= 0) return fmt::format("net connect tcp {}", access.port);
    if (blocker == "net.bind_tcp" && access.port >= 0) return fmt::format("net bind tcp {}", access.port);
  }
  return {};
}

void AppendViolationJson(std::string& out, const Violation& violation) {
  const bool seccomp = violation.kind == ViolationKind::kSeccomp;
  fmt::format_to(std::back_inserter(out), "{{\"type\":\"{}\",\"schema\":{},\"source\":\"audit\",\"mode\":\"watch\"",
                 seccomp ? "syscall" : "landlock", run::kEventSchemaVersion);
  AppendField(out, "time", run::FormatRfc3339(violation.time_ns));
  fmt::format_to(std::back_inserter(out), ",\"audit_serial\":{},\"pid\":{},\"tid\":0,\"uid\":{}", violation.serial,
                 violation.pid, violation.uid);
  AppendField(out, "comm", violation.comm);
  AppendField(out, "exe", violation.exe);
  AppendField(out, "arch", violation.arch);
  AppendField(out, "syscall", violation.syscall);
  fmt::format_to(std::back_inserter(out), ",\"nr\":{}", violation.nr);
  if (seccomp) out += ",\"args\":[]";
  AppendField(out, "action", violation.action);
  AppendField(out, "outcome", violation.outcome);
  if (violation.signal != 0) fmt::format_to(std::back_inserter(out), ",\"signal\":{}", violation.signal);
  out += ",\"rule\":null,\"suggest\":";
  const std::string suggestion = SuggestionFor(violation);
  if (suggestion.empty()) {
    out += "null";
  } else {
    run::AppendJsonString(out, suggestion);
  }
  if (!seccomp) AppendLandlock(out, violation);
  AppendContainer(out, violation);
  out += "}\n";
}

void AppendLostJson(std::string& out, int64_t time_ns, std::string_view cause, uint64_t count, uint64_t total) {
  fmt::format_to(std::back_inserter(out), "{{\"type\":\"lost\",\"schema\":{},\"mode\":\"watch\"", run::kEventSchemaVersion);
  AppendField(out, "time", run::FormatRfc3339(time_ns));
  AppendField(out, "cause", cause);
  fmt::format_to(std::back_inserter(out), ",\"count\":{},\"total\":{}}}\n", count, total);
}

}  // namespace sysfence::watch
