// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd.h"

#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "core/errno_names.h"
#include "formats/systemd_facts.h"
#include "formats/systemd_paths.h"
#include "formats/systemd_privileges.h"
#include "formats/systemd_syscalls.h"
#include "formats/systemd_writer.h"
#include "syscalls/facts.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using systemd::DropInText;
using systemd::SdAction;
using systemd::SyscallVerdict;

std::string ErrnoText(uint16_t value) {
  std::string_view name = ErrnoName(value);
  return name.empty() ? std::to_string(value) : std::string(name);
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

// Syscalls added in Linux 6.0 or later: an older libseccomp (systemd resolves names through it)
// does not know them, and systemd ignores such a name with a warning.
bool IsRecent(std::string_view name) {
  if (name == "uretprobe") return true;  // Linux 6.11, x86-64 only (below the shared numbers IntroducedIn covers)
  std::optional<std::string_view> release = syscalls::IntroducedIn(name);
  return release && !release->starts_with("5.");
}

// `key=PREFIX names`, the recent syscalls on lines of their own after a comment saying what an
// older systemd does with them.
void WriteSyscallList(std::string_view key, std::string_view prefix, const std::vector<std::string>& names,
                      std::string_view if_unknown, DropInText& out) {
  std::vector<std::string> settled;
  std::vector<std::string> recent;
  for (const std::string& name : names) {
    (IsRecent(name.substr(0, name.find(':'))) ? recent : settled).push_back(name);
  }
  out.List(key, prefix, settled);
  if (recent.empty()) return;
  out.Comment("Added in Linux 6.0 or later: a systemd whose libseccomp is older logs \"Failed to parse system call,");
  out.Comment("ignoring\" for these and " + std::string(if_unknown) + ".");
  out.List(key, prefix, recent);
}

bool ExistsOnSomeAbi(const policy::Policy& policy, std::string_view name) {
  for (Arch arch : policy.arches) {
    if (syscalls::NumberOf(arch, name)) return true;
  }
  return false;
}

void WriteArchitectures(const policy::Policy& policy, DropInText& out) {
  std::vector<std::string> names;
  bool x32 = false;
  bool x86_64 = false;
  for (Arch arch : policy.arches) {
    names.emplace_back(systemd::ArchName(arch));
    x32 = x32 || arch == Arch::kX32;
    x86_64 = x86_64 || arch == Arch::kX86_64;
  }
  out.Blank();
  out.Comment("ABIs the service may call the kernel through (systemd also keeps its own native ABI).");
  out.List("SystemCallArchitectures", "", names);
  if (x32 && !x86_64) out.Warn({}, "systemd's x32 includes the x86-64 system calls, which the policy does not accept");
  const ActionKind badarch = policy.badarch_action.kind;
  if (badarch != ActionKind::kKillProcess && badarch != ActionKind::kKillThread) {
    out.Warn(policy.badarch_span, "systemd blocks other ABIs in its own way, not with the policy's badarch " +
                                      policy.badarch_action.ToPolicyText());
  }
}

// SystemCallFilter=/SystemCallErrorNumber= for a permitting default: a deny list.
void WriteDenyList(const std::vector<SyscallVerdict>& verdicts, DropInText& out) {
  std::vector<std::string> denied;
  for (const SyscallVerdict& verdict : verdicts) {
    if (verdict.action.kind == SdAction::Kind::kErrno) denied.push_back(verdict.name + ":" + ErrnoText(verdict.action.errno_value));
    if (verdict.action.kind == SdAction::Kind::kKill) denied.push_back(verdict.name);
  }
  out.Comment("The policy permits by default: a deny list, each name with its errno (none: the process is killed).");
  if (denied.empty()) out.Comment("Nothing is denied, so there is no SystemCallFilter= line.");
  WriteSyscallList("SystemCallFilter", "~", denied, "allows them", out);
}

// SystemCallFilter=/SystemCallErrorNumber= for a denying default: an allow list.
void WriteAllowList(const policy::Policy& policy, const SdAction& fallback, const std::vector<SyscallVerdict>& verdicts,
                    DropInText& out) {
  std::vector<std::string> allowed;
  std::map<std::string, const SyscallVerdict*> by_name;
  for (const SyscallVerdict& verdict : verdicts) {
    by_name[verdict.name] = &verdict;
    if (verdict.action.Permits()) {
      allowed.push_back(verdict.name);
    } else if (!verdict.action.SameOutcome(fallback)) {
      out.Warn(verdict.span, verdict.name + ": systemd's allow list gives it the default " + fallback.ToString() +
                                 ", not the policy's " + verdict.action.ToString());
    }
  }
  std::vector<std::string> always;
  for (std::string_view name : systemd::AlwaysAllowed()) {
    auto found = by_name.find(std::string(name));
    const SdAction& action = found == by_name.end() ? fallback : found->second->action;
    if (!action.Permits() && ExistsOnSomeAbi(policy, name)) always.push_back(std::string(name) + " (" + action.ToString() + ")");
  }
  if (!always.empty()) {
    out.Warn(policy.default_span, "systemd always allows its @default set in an allow list; the policy denies " +
                                      Join(always, ", "));
  }
  out.Comment("The policy denies by default: an allow list (systemd adds its @default set to it).");
  if (allowed.empty()) allowed.push_back("@default");
  WriteSyscallList("SystemCallFilter", "", allowed, "denies them", out);
  if (fallback.kind == SdAction::Kind::kErrno && fallback.errno_value != 0) {
    out.Set("SystemCallErrorNumber", ErrnoText(fallback.errno_value));
  } else if (fallback.kind == SdAction::Kind::kErrno) {
    out.Warn(policy.default_span, "systemd's SystemCallErrorNumber= cannot be 0; denied syscalls kill the process");
  } else {
    out.Comment("No SystemCallErrorNumber=: a denied syscall kills the process.");
  }
}

void WriteLog(const SdAction& fallback, const std::vector<SyscallVerdict>& verdicts, DropInText& out) {
  std::vector<std::string> names;
  for (const SyscallVerdict& verdict : verdicts) {
    const bool logged = verdict.action.Permits() && verdict.action.log;
    if (fallback.log ? (verdict.action.Permits() && !logged) : logged) names.push_back(verdict.name);
  }
  if (fallback.log) {
    out.Comment("The default logs: every syscall is logged except those listed.");
    if (names.empty()) names.push_back("@default");  // logging everything but systemd's own always-allowed set
    WriteSyscallList("SystemCallLog", "~", names, "logs them", out);
  } else {
    WriteSyscallList("SystemCallLog", "", names, "does not log them", out);
  }
}

void WriteSyscalls(const policy::Policy& policy, const systemd::FamilyPlan& families, DropInText& out) {
  const std::vector<SyscallVerdict> verdicts = systemd::SyscallVerdicts(policy, families);
  std::string approximation;
  const SdAction fallback = systemd::ToSystemd(policy.default_action, &approximation);
  out.Blank();
  if (!approximation.empty()) out.Warn(policy.default_span, "default: " + approximation);
  for (const SyscallVerdict& verdict : verdicts) {
    if (verdict.lost.empty()) continue;
    // An allow list gives every name it does not list the default.
    const SdAction& given = fallback.Permits() || verdict.action.Permits() ? verdict.action : fallback;
    out.Warn(verdict.span, verdict.name + ": systemd gives " + given.ToString() +
                               " for every argument and ABI; lost: " + Join(verdict.lost, "; "));
  }
  if (fallback.Permits()) {
    WriteDenyList(verdicts, out);
  } else {
    WriteAllowList(policy, fallback, verdicts, out);
  }
  std::string unknown_note;
  const SdAction unknown = systemd::ToSystemd(policy::UnknownAction(policy), &unknown_note);
  const SdAction systemd_unknown = fallback.Permits() ? SdAction{SdAction::Kind::kAllow} : fallback;
  if (!unknown.SameOutcome(systemd_unknown)) {
    out.Warn(policy.unknown_span, "syscall numbers past sysfence's table get " + systemd_unknown.ToString() +
                                      " from systemd, not the policy's " + unknown.ToString());
  }
  WriteLog(fallback, verdicts, out);
}

void WriteFamilies(const policy::Policy& policy, const systemd::FamilyPlan& families, DropInText& out) {
  if (!families.restricted) return;
  std::vector<std::string> names;
  for (uint32_t family : families.allowed) {
    std::string name = systemd::AddressFamilyName(family);
    if (!name.empty()) names.push_back(std::move(name));
  }
  out.Blank();
  out.Comment("socket()'s family conditions: the families the policy may allow.");
  if (names.empty()) {
    out.Set("RestrictAddressFamilies", "none");
  } else {
    out.List("RestrictAddressFamilies", "", names);
  }
  out.Warn({}, "socket() of any other family fails with EAFNOSUPPORT (RestrictAddressFamilies=), whatever the "
               "policy's action for it" + std::string(families.exact ? "" : "; socket's other conditions are lost"));
  for (Arch arch : policy.arches) {
    if (arch == Arch::kX86) out.Warn({}, "on x86 (i386), socketcall(2) is not filtered by RestrictAddressFamilies=");
  }
}

bool IsUnitNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
         c == '_' || c == '.' || c == '\\' || c == '@';
}

}  // namespace

Result<std::string> ExportSystemdUnit(const policy::Policy& policy, Diagnostics& diagnostics) {
  DropInText out(diagnostics);
  out.Comment("Hardening drop-in generated by sysfence (compile --format systemd) from a seccomp policy.");
  out.Comment("Install it as /etc/systemd/system/NAME.service.d/sysfence.conf, then: systemctl daemon-reload.");
  out.Comment("Lines starting with \"warning:\" say where systemd cannot do exactly what the policy says.");
  out.Blank();
  out.Section("Service");
  out.Set("NoNewPrivileges", "yes");
  WriteArchitectures(policy, out);
  const systemd::FamilyPlan families = systemd::PlanFamilies(policy);
  WriteSyscalls(policy, families, out);
  WriteFamilies(policy, families, out);
  systemd::WritePaths(policy, out);
  systemd::WriteNetwork(policy, out);
  systemd::WritePrivileges(policy, out);
  return out.text();
}

bool IsValidUnitName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '.' || name.front() == '-') return false;
  for (char c : name) {
    if (!IsUnitNameCharacter(c)) return false;
  }
  return true;
}

}  // namespace sysfence::formats
