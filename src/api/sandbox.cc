// SPDX-License-Identifier: Apache-2.0
// ApplySandbox: compile, plan and prepare Landlock (everything that can fail on input), then the
// policy's namespaces, resource limits and capabilities, then no_new_privs, Landlock, and the
// seccomp filter on every thread.
#include <sched.h>

#include <string>
#include <utility>

#include "api/policy_impl.h"
#include "codegen/compile.h"
#include "os/landlock.h"
#include "os/seccomp_install.h"
#include "os/strict_mode.h"
#include "run/landlock_grants.h"
#include "run/privileges.h"

namespace sysfence {

std::string SandboxReport::ToString() const {
  std::string text = "seccomp: " + std::to_string(filter_instructions) + " instructions, " +
                     (filter_all_threads ? "all threads" : "calling thread") + "\n";
  text += "landlock: ";
  text += landlock_abi == 0 ? std::string("unavailable") : "ABI " + std::to_string(landlock_abi);
  text += ", " + landlock_status + "\n";
  for (const std::string& line : landlock_not_enforced) text += "  not enforced: " + line + "\n";
  for (const std::string& line : landlock_notes) text += "  note: " + line + "\n";
  return text;
}

namespace {

// Capabilities are per thread, and unshare(CLONE_NEWUSER) needs a single-threaded process: both
// are refused rather than applied to one thread of many.
Status RequireOneThread(std::string_view step, const char* why) {
  Result<int> threads = os::CountThreadsOfSelf();
  if (threads.ok() && *threads == 1) return Status();
  const std::string count = threads.ok() ? std::to_string(*threads) : std::string("several");
  return Status::Failure(ErrorCode::kUnsupported, std::string(step),
                         "the process has " + count + " threads and " + why +
                             ": call ApplySandbox before starting threads");
}

Status ApplyPrivilegeLines(const policy::Policy& model) {
  if (const uint64_t flags = run::CloneFlagsOf(model); flags != 0) {
    if ((flags & CLONE_NEWUSER) != 0) {
      if (Status one = RequireOneThread("namespaces", "a new user namespace needs a single thread"); !one.ok()) {
        return one;
      }
    }
    const os::IdentityMap identity = os::CurrentIdentity();
    if (unshare(static_cast<int>(flags)) != 0) {
      const Error error = os::NamespaceError(flags, errno);
      return api::StatusFromError("namespaces", MakeError(error.code, "unshare(" + os::CloneFlagsText(flags) + "): " + error.message));
    }
    // The caller stays in its PID namespace (only its children enter the new one): no /proc of the
    // new namespace is mounted here, since the caller's own /proc must keep showing the caller.
    if (Result<void> set_up = os::SetUpNamespaces(flags & ~uint64_t{CLONE_NEWPID}, identity); !set_up.ok()) {
      return api::StatusFromError("namespaces", set_up.error());
    }
  }
  if (Result<void> limits = os::ApplyResourceLimits(run::ResourceLimitsOf(model)); !limits.ok()) {
    return api::StatusFromError("rlimits", limits.error());
  }
  if (model.caps) {
    if (Status one = RequireOneThread("capabilities", "capabilities are per thread"); !one.ok()) return one;
    if (Result<void> kept = os::KeepOnlyCapabilities(model.caps->keep); !kept.ok()) {
      return api::StatusFromError("capabilities", kept.error());
    }
  }
  return Status();
}

}  // namespace

StatusOr<SandboxReport> ApplySandbox(const Policy& policy, const SandboxOptions& options) {
  const policy::Policy& model = api::ModelOf(policy);

  // 1. Compile: pure, so a failure changes nothing.
  Result<bpf::Program> program = codegen::Compile(model);
  if (!program.ok()) return api::StatusFromError("compile", program.error());

  // 2. Landlock: probe, plan, open paths, count threads, build the ruleset. Still nothing enforced.
  const os::LandlockMode mode =
      options.landlock == LandlockMode::kRequire ? os::LandlockMode::kRequire : os::LandlockMode::kBestEffort;
  os::LandlockOptions landlock_options;
  landlock_options.scope_signal = options.scope_signals;
  landlock_options.scope_abstract_unix_socket = options.scope_abstract_unix;
  std::string unavailable_reason;
  const int abi = os::ProbeLandlockAbi(&unavailable_reason);
  Result<os::LandlockPlan> plan = os::PlanLandlock(run::LandlockGrantsOf(model), abi, mode, landlock_options);
  if (!plan.ok()) {
    Error error = plan.error();
    if (abi == 0) error.message += " [" + unavailable_reason + "]";
    return api::StatusFromError("landlock", error);
  }
  plan->report.unavailable_reason = unavailable_reason;
  Result<os::PreparedLandlock> landlock = os::PrepareLandlock(*plan, mode);
  if (!landlock.ok()) return api::StatusFromError("landlock", landlock.error());

  // 3. The policy's unshare, rlimit and caps lines, in the order that works: namespaces (while the
  // process still holds what creating them needs), limits (raising one needs CAP_SYS_RESOURCE),
  // capabilities last. Each refusal names its step; what was applied before it stays.
  if (Status privileges = ApplyPrivilegeLines(model); !privileges.ok()) return privileges;

  // 4. Enforce Landlock (sets no_new_privs), then the filter on every thread. The filter comes last
  // because it may not allow Landlock's own syscalls.
  Result<void> enforced = landlock->Enforce();
  if (!enforced.ok()) return api::StatusFromError("landlock", enforced.error());
  os::InstallOptions install;
  install.set_no_new_privs = true;
  install.thread_sync = true;
  install.log = options.log_denials;
  Result<int> installed = os::InstallFilter(*program, install);
  if (!installed.ok()) {
    Error error = installed.error();
    if (landlock->report().applied) {
      error.message += " (the Landlock ruleset was already applied and cannot be undone)";
    }
    return api::StatusFromError("seccomp", error);
  }

  SandboxReport report;
  report.filter_instructions = program->size();
  report.filter_all_threads = true;
  const os::LandlockReport& landlock_report = landlock->report();
  report.landlock_abi = landlock_report.abi;
  report.landlock_status = std::string(os::LandlockStatusName(landlock_report.status));
  for (const os::LandlockDrop& drop : landlock_report.dropped) {
    std::string line = drop.name + " (needs ABI " + std::to_string(drop.needs_abi) + ")";
    if (!drop.span.file.empty()) line += " at " + drop.span.ToString();
    report.landlock_not_enforced.push_back(std::move(line));
  }
  report.landlock_notes = landlock_report.notes;
  return report;
}

int LandlockAbi() { return os::ProbeLandlockAbi(); }

Status EnterStrictMode() {
  Result<void> entered = os::EnterStrictMode();
  if (!entered.ok()) return Status::Failure(entered.error().code, "strict-mode", entered.error().message);
  return Status();
}

}  // namespace sysfence
