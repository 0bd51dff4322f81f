// SPDX-License-Identifier: Apache-2.0
// `sysfence landlock`: what a policy's fs/net rules become on this kernel (or on a given ABI).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "formats/load.h"
#include "os/landlock.h"
#include "run/landlock_grants.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kLandlockHelp =
    "Shows the Landlock ruleset a policy's `fs` and `net` rules become on this kernel, without\n"
    "applying anything: the kernel's Landlock ABI, the rights the ruleset restricts (deny by\n"
    "default), the rights allowed beneath each path and on each TCP port, and everything this ABI\n"
    "cannot enforce (rights newer than the kernel), each with the ABI that would. Every path is\n"
    "checked to exist. --abi N plans for another kernel's ABI instead (1..8; 0 = no Landlock);\n"
    "--landlock require fails as `sysfence run --landlock require` would.\n"
    "\n"
    "Examples:\n"
    "  sysfence landlock app.sfp\n"
    "  sysfence landlock app.sfp --abi 3\n"
    "  sysfence landlock app.sfp --landlock require\n"
    "\n"
    "Exit status: 0 fully enforced (or no fs/net rules), 1 partially or not enforced, 2 bad policy\n"
    "or a missing path, 3 `require` cannot be met. Rules and ABIs: docs/landlock.md.";

struct LandlockFlags {
  std::string path;
  std::optional<int> abi;
  std::string mode = "best-effort";
};

int LandlockCommand(const LandlockFlags& flags) {
  const std::optional<os::LandlockMode> mode = os::LandlockModeFromName(flags.mode);
  if (!mode) {
    std::fprintf(stderr, "sysfence: error: --landlock must be best-effort or require, not '%s'\n",
                 flags.mode.c_str());
    return kExitBadInput;
  }
  if (flags.abi && (*flags.abi < 0 || *flags.abi > 64)) {
    std::fprintf(stderr, "sysfence: error: --abi must be between 0 and 64, not %d\n", *flags.abi);
    return kExitBadInput;
  }
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy = formats::LoadPolicyFile(flags.path, formats::LoadOptions{}, diagnostics);
  if (!policy) return ReportDiagnostics(diagnostics);

  // Paths are checked on every kernel: a missing one fails `run` in every mode.
  for (const policy::FsRule& rule : policy->fs_rules) {
    for (const std::string& path : rule.paths) {
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        const int err = errno;
        return ReportError(MakeError(ErrorCode::kNotFound, "fs rule at " + rule.span.ToString() + ": cannot open '" +
                                                               path + "': " + std::strerror(err)));
      }
    }
  }

  std::string reason;
  const int abi = flags.abi ? *flags.abi : os::ProbeLandlockAbi(&reason);
  Result<os::LandlockPlan> plan = os::PlanLandlock(run::LandlockGrantsOf(*policy), abi, *mode);
  if (!plan.ok()) {
    Error error = plan.error();
    if (abi == 0 && !reason.empty()) error.message += " [" + reason + "]";
    return ReportError(error);
  }
  plan->report.unavailable_reason = reason;
  std::printf("%s", plan->report.ToString().c_str());
  std::printf("  (%s)\n", flags.abi ? "planned for --abi; nothing applied" : "this kernel; nothing applied");
  for (const os::LandlockPathRule& rule : plan->path_rules) {
    std::printf("  path %s: %s  [%s]\n", rule.path.c_str(), os::LandlockFsRightsText(rule.allowed_access).c_str(),
                rule.span.ToString().c_str());
  }
  for (const os::LandlockPortRule& rule : plan->port_rules) {
    std::printf("  tcp port %u: %s  [%s]\n", static_cast<unsigned>(rule.port),
                os::LandlockNetRightsText(rule.allowed_access).c_str(), rule.span.ToString().c_str());
  }
  const os::LandlockStatus status = plan->report.status;
  return status == os::LandlockStatus::kFullyEnforced || status == os::LandlockStatus::kNotRequested ? kExitOk
                                                                                                    : kExitFindings;
}

const CommandRegistration kRegistration(45, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("landlock", "Show the Landlock ruleset a policy's fs/net rules become");
  sub->footer(kLandlockHelp);
  auto flags = std::make_shared<LandlockFlags>();
  sub->add_option("policy", flags->path, "Policy file (.sfp or OCI/Docker JSON); - for stdin")->required();
  sub->add_option("--abi", flags->abi, "Plan for this Landlock ABI instead of the running kernel's");
  OneOf(sub->add_option("--landlock", flags->mode, "best-effort (default) or require"), {"best-effort", "require"});
  sub->callback([flags, exit_status] { *exit_status = LandlockCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
