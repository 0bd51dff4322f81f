// SPDX-License-Identifier: Apache-2.0
// ApplySandbox: compile, plan and prepare Landlock (everything that can fail on input), then
// no_new_privs, Landlock, and the seccomp filter on every thread.
#include <string>
#include <utility>

#include "api/policy_impl.h"
#include "codegen/compile.h"
#include "os/landlock.h"
#include "os/seccomp_install.h"
#include "os/strict_mode.h"
#include "run/landlock_grants.h"

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

  // 3. Enforce Landlock (sets no_new_privs), then the filter on every thread. The filter comes last
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
