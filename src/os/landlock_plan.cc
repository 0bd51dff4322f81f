// SPDX-License-Identifier: Apache-2.0
// Planning a Landlock ruleset for one ABI: pure, so every ABI can be tested on any kernel.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "os/landlock.h"
#include "os/landlock_uapi.h"

namespace sysfence::os {
namespace {

namespace uapi = landlock_uapi;

// Every file-system right sysfence knows: the set restricted once any path is granted anything.
constexpr uint64_t kAllKnownFsRights = (uapi::kFsIoctlDev << 1) - 1;

struct RightName {
  uint64_t bit;
  std::string_view name;
  int abi;
};

constexpr RightName kFsRightNames[] = {
    {uapi::kFsExecute, "execute", 1},       {uapi::kFsWriteFile, "write-file", 1},
    {uapi::kFsReadFile, "read-file", 1},    {uapi::kFsReadDir, "read-dir", 1},
    {uapi::kFsRemoveDir, "remove-dir", 1},  {uapi::kFsRemoveFile, "remove-file", 1},
    {uapi::kFsMakeChar, "make-char", 1},    {uapi::kFsMakeDir, "make-dir", 1},
    {uapi::kFsMakeReg, "make-reg", 1},      {uapi::kFsMakeSock, "make-sock", 1},
    {uapi::kFsMakeFifo, "make-fifo", 1},    {uapi::kFsMakeBlock, "make-block", 1},
    {uapi::kFsMakeSym, "make-sym", 1},      {uapi::kFsRefer, "refer", 2},
    {uapi::kFsTruncate, "truncate", 3},     {uapi::kFsIoctlDev, "ioctl-dev", 5},
};

// How a port grant is written in a policy, to name it in reports: "net bind tcp 8080".
std::vector<std::string> PortGrantTexts(const LandlockPortGrant& grant) {
  std::vector<std::string> texts;
  if (grant.access & uapi::kNetBindTcp) texts.push_back("net bind tcp " + std::to_string(grant.port));
  if (grant.access & uapi::kNetConnectTcp) texts.push_back("net connect tcp " + std::to_string(grant.port));
  return texts;
}

// File system: deny by default every right sysfence knows; the kernel handles what it can.
void PlanPathGrants(const std::vector<LandlockPathGrant>& grants, LandlockPlan& plan) {
  if (grants.empty()) return;
  LandlockReport& report = plan.report;
  const uint64_t fs_known = LandlockFsRightsOfAbi(plan.abi);
  plan.handled_fs = kAllKnownFsRights & fs_known;
  // ABI 1 has no `refer` right but always denies reparenting (EXDEV): stricter, not weaker.
  const uint64_t missing = kAllKnownFsRights & ~fs_known & ~(plan.abi >= 1 ? uapi::kFsRefer : 0);
  for (const RightName& right : kFsRightNames) {
    if ((missing & right.bit) == 0) continue;
    report.dropped.push_back({LandlockDrop::Kind::kFsRight, std::string(right.name), right.abi, {}});
  }
  for (const LandlockPathGrant& grant : grants) {
    uint64_t access = grant.access;
    if (access & uapi::kFsWriteFile) access |= uapi::kFsTruncate;  // O_TRUNC is a write
    if (plan.abi == 1 && (access & uapi::kFsRefer)) {
      report.notes.push_back("rule at " + grant.span.ToString() +
                             " grants refer, which ABI 1 cannot give: linking or renaming across "
                             "directories fails with EXDEV");
    }
    const uint64_t allowed = access & plan.handled_fs;
    if (allowed == 0) {
      if (plan.handled_fs != 0) {
        report.notes.push_back("rule at " + grant.span.ToString() + " grants only rights this ABI does not "
                               "restrict (" + LandlockFsRightsText(access) + "): skipped");
      }
      continue;
    }
    for (const std::string& path : grant.paths) plan.path_rules.push_back({path, allowed, grant.span});
  }
}

// Network: TCP bind and connect, both denied by default once any port is granted anything.
void PlanPortGrants(const std::vector<LandlockPortGrant>& grants, LandlockPlan& plan) {
  if (grants.empty()) return;
  const uint64_t net_wanted = uapi::kNetBindTcp | uapi::kNetConnectTcp;
  plan.handled_net = net_wanted & LandlockNetRightsOfAbi(plan.abi);
  if (plan.handled_net == 0) {
    LandlockReport& report = plan.report;
    report.dropped.push_back({LandlockDrop::Kind::kNetRight, "bind-tcp", 4, {}});
    report.dropped.push_back({LandlockDrop::Kind::kNetRight, "connect-tcp", 4, {}});
    for (const LandlockPortGrant& grant : grants) {
      for (std::string& text : PortGrantTexts(grant)) {
        report.dropped.push_back({LandlockDrop::Kind::kNetRule, std::move(text), 4, grant.span});
      }
    }
    return;
  }
  std::map<uint16_t, size_t> index_of_port;
  for (const LandlockPortGrant& grant : grants) {
    auto [it, inserted] = index_of_port.try_emplace(grant.port, plan.port_rules.size());
    if (inserted) plan.port_rules.push_back({grant.port, 0, grant.span});
    plan.port_rules[it->second].allowed_access |= grant.access & net_wanted;
  }
}

// IPC scopes (library option only), the isolation walls and the audit-logging flags.
void PlanOptions(const LandlockOptions& options, uint64_t wanted_scopes, LandlockPlan& plan) {
  LandlockReport& report = plan.report;
  plan.scoped = wanted_scopes & LandlockScopesOfAbi(plan.abi);
  if (wanted_scopes & ~plan.scoped & uapi::kScopeAbstractUnixSocket) {
    report.dropped.push_back({LandlockDrop::Kind::kScope, "scope abstract-unix-socket", 6, {}});
  }
  if (wanted_scopes & ~plan.scoped & uapi::kScopeSignal) {
    report.dropped.push_back({LandlockDrop::Kind::kScope, "scope signal", 6, {}});
  }
  // Isolation: the signal scope where the ABI has it, and a domain in any case.
  if (options.isolation) {
    if (LandlockScopesOfAbi(plan.abi) & uapi::kScopeSignal) {
      plan.scoped |= uapi::kScopeSignal;
    } else if (plan.abi >= 1) {
      report.notes.push_back("isolation: Landlock ABI " + std::to_string(plan.abi) +
                             " cannot stop signals to processes outside the domain (scope signal needs ABI 6)");
    }
    if (!plan.HasRuleset() && plan.abi >= 1) {
      // A domain needs something handled: make-block, granted everywhere, restricts nothing.
      plan.handled_fs = uapi::kFsMakeBlock;
      plan.path_rules.push_back({"/", uapi::kFsMakeBlock, {}});
    }
  }
  // Audit logging flags only change what is logged, never what is enforced: a note when missing.
  if (options.log_new_exec_on) {
    if (LandlockRestrictFlagsOfAbi(plan.abi) & uapi::kRestrictSelfLogNewExecOn) {
      plan.restrict_flags |= uapi::kRestrictSelfLogNewExecOn;
    } else {
      report.notes.push_back("audit logging after execve needs Landlock ABI 7: not requested");
    }
  }
}

// The report's summary of a finished plan: what is handled and how completely.
void SummarizePlan(LandlockPlan& plan) {
  LandlockReport& report = plan.report;
  report.handled_fs = plan.handled_fs;
  report.handled_net = plan.handled_net;
  report.scoped = plan.scoped;
  if (!plan.HasRuleset()) {
    report.status = LandlockStatus::kNotEnforced;
  } else if (!report.dropped.empty()) {
    report.status = LandlockStatus::kPartiallyEnforced;
  } else {
    report.status = LandlockStatus::kFullyEnforced;
  }
}

// The `require` refusal: every restriction the kernel cannot enforce, with where it was written.
Error RequireRefusal(const LandlockReport& report) {
  std::string message = "landlock require: ";
  if (report.abi == 0) {
    message += "Landlock is unavailable";
    if (!report.unavailable_reason.empty()) message += " (" + report.unavailable_reason + ")";
  } else {
    message += "this kernel (Landlock ABI " + std::to_string(report.abi) + ") cannot enforce";
    std::string sep = ": ";
    for (const LandlockDrop& drop : report.dropped) {
      message += sep + drop.name + " (needs ABI " + std::to_string(drop.needs_abi) + ")";
      if (!drop.span.file.empty()) message += " at " + drop.span.ToString();
      sep = ", ";
    }
  }
  message += "; nothing was applied (use best-effort to apply what the kernel supports)";
  return MakeError(ErrorCode::kUnsupported, message);
}

}  // namespace

std::string LandlockFsRightsText(uint64_t rights) {
  std::string text;
  for (const RightName& right : kFsRightNames) {
    if ((rights & right.bit) == 0) continue;
    if (!text.empty()) text += ",";
    text += right.name;
  }
  return text.empty() ? "none" : text;
}

std::string LandlockNetRightsText(uint64_t rights) {
  std::string text;
  if (rights & uapi::kNetBindTcp) text = "bind-tcp";
  if (rights & uapi::kNetConnectTcp) text += text.empty() ? "connect-tcp" : ",connect-tcp";
  return text.empty() ? "none" : text;
}

uint64_t LandlockFsRightsOfAbi(int abi) {
  if (abi <= 0) return 0;
  uint64_t rights = uapi::kFsMakeSym * 2 - 1;  // ABI 1: execute .. make-sym
  if (abi >= 2) rights |= uapi::kFsRefer;
  if (abi >= 3) rights |= uapi::kFsTruncate;
  if (abi >= 5) rights |= uapi::kFsIoctlDev;
  return rights;
}

uint64_t LandlockNetRightsOfAbi(int abi) { return abi >= 4 ? uapi::kNetBindTcp | uapi::kNetConnectTcp : 0; }

uint64_t LandlockScopesOfAbi(int abi) {
  return abi >= 6 ? uapi::kScopeAbstractUnixSocket | uapi::kScopeSignal : 0;
}

uint32_t LandlockRestrictFlagsOfAbi(int abi) {
  uint32_t flags = 0;
  if (abi >= 7) {
    flags |= uapi::kRestrictSelfLogSameExecOff | uapi::kRestrictSelfLogNewExecOn |
             uapi::kRestrictSelfLogSubdomainsOff;
  }
  if (abi >= 8) flags |= uapi::kRestrictSelfTsync;
  return flags;
}

std::string_view LandlockStatusName(LandlockStatus status) {
  switch (status) {
    case LandlockStatus::kNotRequested: return "not-requested";
    case LandlockStatus::kFullyEnforced: return "fully-enforced";
    case LandlockStatus::kPartiallyEnforced: return "partially-enforced";
    case LandlockStatus::kNotEnforced: return "not-enforced";
  }
  return "unknown";
}

std::optional<LandlockMode> LandlockModeFromName(std::string_view name) {
  if (name == "best-effort") return LandlockMode::kBestEffort;
  if (name == "require") return LandlockMode::kRequire;
  return std::nullopt;
}

std::string LandlockReport::ToString() const {
  std::string text = "landlock: ";
  if (abi == 0) {
    text += "unavailable";
    if (!unavailable_reason.empty()) text += " (" + unavailable_reason + ")";
  } else {
    text += "ABI " + std::to_string(abi);
  }
  text += ", " + std::string(LandlockStatusName(status));
  if (applied) text += thread_sync ? ", applied to all threads" : ", applied";
  text += "\n";
  if (handled_fs != 0) text += "  restricted fs rights: " + LandlockFsRightsText(handled_fs) + "\n";
  if (handled_net != 0) text += "  restricted tcp: " + LandlockNetRightsText(handled_net) + "\n";
  for (const LandlockDrop& drop : dropped) {
    text += "  not enforced: " + drop.name + " (needs ABI " + std::to_string(drop.needs_abi) + ")";
    if (!drop.span.file.empty()) text += " at " + drop.span.ToString();
    text += "\n";
  }
  for (const std::string& note : notes) text += "  note: " + note + "\n";
  return text;
}

Result<LandlockPlan> PlanLandlock(const LandlockGrants& grants, int abi, LandlockMode mode,
                                  const LandlockOptions& options) {
  LandlockPlan plan;
  plan.abi = abi > kLandlockMaxKnownAbi ? kLandlockMaxKnownAbi : (abi < 0 ? 0 : abi);
  LandlockReport& report = plan.report;
  report.abi = abi < 0 ? 0 : abi;
  if (abi > kLandlockMaxKnownAbi) {
    report.notes.push_back("kernel Landlock ABI " + std::to_string(abi) + " is newer than sysfence knows (" +
                           std::to_string(kLandlockMaxKnownAbi) +
                           "): rights added after that stay unrestricted");
  }
  uint64_t wanted_scopes = 0;
  if (options.scope_abstract_unix_socket) wanted_scopes |= uapi::kScopeAbstractUnixSocket;
  if (options.scope_signal) wanted_scopes |= uapi::kScopeSignal;
  if (grants.paths.empty() && grants.ports.empty() && wanted_scopes == 0 && !options.isolation) {
    report.status = LandlockStatus::kNotRequested;
    return plan;
  }
  PlanPathGrants(grants.paths, plan);
  PlanPortGrants(grants.ports, plan);
  PlanOptions(options, wanted_scopes, plan);
  SummarizePlan(plan);
  if (mode == LandlockMode::kRequire && report.status != LandlockStatus::kFullyEnforced) {
    return RequireRefusal(report);
  }
  return plan;
}

}  // namespace sysfence::os
