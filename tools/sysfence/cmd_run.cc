// SPDX-License-Identifier: Apache-2.0
// `sysfence run`: run a program under a policy, enforcing it or (with --monitor) only watching, and
// report every violation as an event.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "formats/load.h"
#include "os/landlock.h"
#include "run/runner.h"
#include "os/spawn.h"
#include "run/strict_launcher.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kRunHelp =
    "Run a program under a policy. The kernel's seccomp filter (and Landlock, for fs/net rules)\n"
    "enforces it; every denied call also becomes an event: a line on stderr for each new kind of\n"
    "call, JSON Lines with --events, and a command of yours with --alert-exec.\n"
    "\n"
    "  enforce (default)  denied calls fail with the policy's errno; `kill` rules end the program\n"
    "                     (exit status 128+SIGSYS); `log` rules allow and report. Every denial is\n"
    "                     the filter's own answer: nothing the program can reach takes part in it.\n"
    "                     sysfence reads the kernel's audit records of the denials (root only;\n"
    "                     without root they are enforced but not reported, and it says so).\n"
    "  --monitor          nothing is blocked; what the policy WOULD deny is reported (first of each\n"
    "                     kind, then counts), and the end summary lists the policy lines that would\n"
    "                     let this run pass under enforcement. Monitor mode is not a sandbox.\n"
    "                     The fs/net rules are observed, not enforced: each path or TCP port the\n"
    "                     program uses that Landlock would deny is reported with the `fs`/`net`\n"
    "                     line that would allow it (--landlock-enforce: enforce them instead).\n"
    "\n"
    "The program is walled off from sysfence (it cannot read its memory, take its fds, ptrace or\n"
    "signal it): a Landlock domain with signal scoping (Landlock ABI 6). Where the kernel lacks it,\n"
    "run refuses to start (exit 125) unless --isolation best-effort. Threat model: docs/run.md.\n"
    "\n"
    "Events: the first --events-per-call calls of each kind are written (default 100); later ones\n"
    "are counted in the summary, and the file stops growing at --events-max-size MiB (default 1024).\n"
    "\n"
    "Exit status, as env(1) and timeout(1) have it: the program's own status (128+N when signal N\n"
    "ended it), in enforce and monitor mode alike; sysfence's own failures use\n"
    "  125  sysfence failed: a bad command line or policy, the system refused (no seccomp, no\n"
    "       Landlock under --landlock require, an unwritable events file), or the supervisor or\n"
    "       the events file failed while the program ran (stderr then gives the program's status)\n"
    "  126  the program was found but cannot be executed (not executable, a folder, not a format the\n"
    "       kernel runs, execve refused, also by the policy)\n"
    "  127  the program was not found (nor its #! interpreter: execve's ENOENT)\n"
    "With 126 and 127 the program never ran, nor with 125 unless stderr gives its status. SIGINT,\n"
    "SIGTERM and SIGHUP sent to sysfence are passed on to the program.\n"
    "\n"
    "Status: SIGUSR1 sent to sysfence prints one line to stderr (pid, time so far, reported calls\n"
    "and kinds), and --progress prints it every --progress-interval seconds (default 5). -q keeps\n"
    "stderr silent (events still go to --events); -v adds a line naming the policy and mode at the\n"
    "start and the program's status at the end.\n"
    "\n"
    "Example session:\n"
    "  $ cat net.sfp\n"
    "  arch x86_64\n"
    "  default errno EPERM\n"
    "  allow @default @file-system @process @signal execve\n"
    "  $ sysfence run --monitor -P net.sfp -- ping -c1 127.0.0.1\n"
    "  sysfence: would deny socket(family=AF_INET, ...) ...; to allow: allow socket if family == AF_INET\n"
    "  ...\n"
    "  sysfence: add these lines to the policy to let this run pass under enforcement:\n"
    "      allow socket if family == AF_INET\n"
    "  $ sysfence run --policy net.sfp --events events.jsonl -- ping -c1 127.0.0.1\n"
    "  ping: socket: Operation not permitted\n"
    "  $ jq -c 'select(.type == \"syscall\") | [.syscall, .rule]' events.jsonl\n"
    "\n"
    "Strict mode (--strict, x86_64): `sysfence run --strict -- PROG ARGS` runs PROG in seccomp's\n"
    "original strict mode from the first instruction of its new image: only read, write, exit (not\n"
    "exit_group) and rt_sigreturn are allowed; any other syscall kills it with SIGKILL (exit status\n"
    "137, reported as a strict-mode kill), and rdtsc faults (SIGSEGV, 139). It is for programs built\n"
    "for it (static, no libc startup); an ordinary dynamic program dies in its loader. No --policy is\n"
    "used: --policy, --monitor, --events, --alert-exec or --landlock with --strict is a usage error\n"
    "(exit 125). If sysfence cannot put the program into strict mode, it kills it before its first\n"
    "instruction and exits 125.\n"
    "\n"
    "Landlock denials in enforce mode are events too (`\"type\":\"landlock\"`, root, audit enabled:\n"
    "`auditctl -e 1` or `sysfence watch --audit-enable`), with the fs/net line that would allow them.\n"
    "\n"
    "--kernel-log: the filter is installed with SECCOMP_FILTER_FLAG_LOG and Landlock logs denials\n"
    "after exec too, whoever runs sysfence, so every kill, kill-thread, trap and errno decision (and\n"
    "every Landlock denial, while audit is enabled) reaches the kernel's audit stream, where\n"
    "`sysfence watch` reports it even if this sysfence is gone.\n"
    "\n"
    "Event fields are documented in docs/events.md; the full reference is docs/run.md.";

struct RunFlags {
  std::string policy_path;
  bool monitor = false;
  std::string events_path;
  std::string alert_command;
  double alert_rate = 5;
  double alert_burst = 20;
  std::string landlock = "best-effort";
  std::string isolation = "require";
  uint64_t events_per_call = 100;
  uint64_t events_max_mib = 1024;
  bool strict = false;
  bool quiet = false;
  bool verbose = false;
  bool progress = false;
  double progress_interval = 5;
  bool kernel_log = false;
  bool landlock_enforce = false;
  std::vector<std::string> given;  ///< options given on the command line (for --strict conflicts)
};

// Options that configure a policy run; --strict, which uses no policy, refuses them.
constexpr const char* kPolicyRunOptions[] = {"--policy",     "--monitor",         "--events",        "--alert-exec",
                                            "--landlock",   "--isolation",       "--events-per-call",
                                            "--events-max-size", "--kernel-log", "--progress", "--progress-interval",
                                            "--landlock-enforce"};

constexpr const char* kStrictKilled =
    "sysfence: the program was killed by seccomp strict mode (a syscall other than read, write, exit, "
    "sigreturn)\n";
constexpr const char* kStrictSegv =
    "sysfence: the program was killed by SIGSEGV; in seccomp strict mode the rdtsc instruction faults too "
    "(the kernel disables the time stamp counter), and dynamic programs execute it during startup\n";

// Prints `error` and returns run's status for it: 127 when the program was not found, 125 for
// everything else (a failed execve is not an error but a result: ExecFailed).
int RunError(const Error& error) {
  std::fprintf(stderr, "sysfence: %s %s\n", Paint("error:", Tint::kError, stderr).c_str(), error.message.c_str());
  if (error.code == ErrorCode::kNotFound) return kExitNotFound;
  return kExitRunFailed;
}

// The program's execve failed: prints why and returns the status the launcher chose from execve's
// errno (os::ExecFailureStatus: 127 for ENOENT, 126 otherwise), never a text match.
int ExecFailed(const std::string& message, int status) {
  std::fprintf(stderr, "sysfence: %s %s\n", Paint("error:", Tint::kError, stderr).c_str(), message.c_str());
  return status;
}

// Finds the program before anything is set up: 127 when it does not exist, 126 when it cannot be
// executed (a folder, no execute permission), as a shell reports them.
int CheckProgram(const std::vector<std::string>& command) {
  Result<std::string> path = os::ResolveProgram(command.front());
  if (path.ok()) return kExitOk;
  std::fprintf(stderr, "sysfence: %s %s\n", Paint("error:", Tint::kError, stderr).c_str(),
               path.error().message.c_str());
  return path.error().code == ErrorCode::kNotFound ? kExitNotFound : kExitCannotExecute;
}

// `run --strict`: no policy; the options that configure a policy run conflict with it.
int RunStrict(const RunFlags& flags, const std::vector<std::string>& command) {
  for (const char* option : kPolicyRunOptions) {
    if (std::find(flags.given.begin(), flags.given.end(), option) != flags.given.end()) {
      std::fprintf(stderr, "sysfence: error: --strict cannot be combined with %s (strict mode uses no policy)\n",
                   option);
      return kExitRunFailed;
    }
  }
  if (command.empty()) {
    std::fprintf(stderr, "sysfence: error: no program given: sysfence run --strict [--] CMD ARGS...\n");
    return kExitRunFailed;
  }
  if (const int found = CheckProgram(command); found != kExitOk) return found;
  Result<run::StrictRunResult> result = run::RunInStrictMode(command);
  if (!result.ok()) return RunError(result.error());
  if (result->exec_errno != 0) return ExecFailed(result->exec_error, result->exit_status);
  if (!flags.quiet && result->signal == SIGKILL) std::fputs(kStrictKilled, stderr);
  if (!flags.quiet && result->signal == SIGSEGV) std::fputs(kStrictSegv, stderr);
  return result->exit_status;
}

// SIGUSR1 (and --progress) print a status line; with -q, SIGUSR1 keeps its default action.
void AskForStatusLines(const RunFlags& flags, run::RunOptions& options) {
  if (flags.quiet) return;
  options.on_status = [](const run::RunStatus& status) {
    std::fprintf(stderr, "sysfence: status: %s\n", run::StatusText(status).c_str());
  };
  if (flags.progress) options.status_interval_ms = static_cast<int64_t>(flags.progress_interval * 1000);
}

int RunCommand(const RunFlags& flags, const std::vector<std::string>& command) {
  if (flags.strict) return RunStrict(flags, command);
  if (flags.policy_path.empty()) {
    std::fprintf(stderr,
                 "sysfence: error: --policy is required (or --strict): sysfence run --policy P [--] CMD ARGS...\n");
    return kExitRunFailed;
  }
  if (command.empty()) {
    std::fprintf(stderr, "sysfence: error: no program given: sysfence run --policy P [--] CMD ARGS...\n");
    return kExitRunFailed;
  }
  const auto landlock_mode = os::LandlockModeFromName(flags.landlock);
  if (!landlock_mode) {
    std::fprintf(stderr, "sysfence: error: --landlock must be best-effort or require, not '%s'\n",
                 flags.landlock.c_str());
    return kExitRunFailed;
  }
  const auto isolation_mode = run::IsolationModeFromName(flags.isolation);
  if (!isolation_mode) {
    std::fprintf(stderr, "sysfence: error: --isolation must be require or best-effort, not '%s'\n",
                 flags.isolation.c_str());
    return kExitRunFailed;
  }
  if (flags.events_path == "-") {
    std::fprintf(stderr,
                 "sysfence: error: --events - would share standard output with the program, which could write "
                 "lines that look like events; give a file (opened close-on-exec, out of the program's reach "
                 "unless the policy lets it write there)\n");
    return kExitRunFailed;
  }
  if (flags.landlock_enforce && !flags.monitor) {
    std::fprintf(stderr,
                 "sysfence: error: --landlock-enforce is for --monitor (enforce mode always enforces the fs/net "
                 "rules)\n");
    return kExitRunFailed;
  }
  if (flags.events_per_call < 1 || flags.events_max_mib < 1) {
    std::fprintf(stderr, "sysfence: error: --events-per-call and --events-max-size must be at least 1\n");
    return kExitRunFailed;
  }
  if (!(flags.alert_rate > 0) || !(flags.alert_burst >= 1)) {
    std::fprintf(stderr, "sysfence: error: --alert-rate must be > 0 and --alert-burst >= 1\n");
    return kExitRunFailed;
  }
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy = formats::LoadPolicyFile(flags.policy_path, {}, diagnostics);
  if (!policy || diagnostics.HasErrors()) {
    std::string source;
    if (flags.policy_path != "-") {
      if (auto text = ReadInputFile(flags.policy_path); text.ok()) source = text.value();
    }
    ReportDiagnostics(diagnostics, source);
    if (!diagnostics.HasErrors()) std::fprintf(stderr, "sysfence: error: cannot load '%s'\n", flags.policy_path.c_str());
    return kExitRunFailed;
  }
  if (diagnostics.HasWarnings() && !flags.quiet) ReportDiagnostics(diagnostics);

  run::RunOptions options;
  options.policy = std::move(*policy);
  options.mode = flags.monitor ? run::RunMode::kMonitor : run::RunMode::kEnforce;
  options.command = command;
  options.events_path = flags.events_path;
  options.human_events = !flags.quiet;
  options.alert_command = flags.alert_command;
  options.alert_tuning.rate_per_second = flags.alert_rate;
  options.alert_tuning.burst = flags.alert_burst;
  options.landlock_mode = *landlock_mode;
  options.isolation_mode = *isolation_mode;
  options.max_events_per_shape = flags.events_per_call;
  options.max_event_bytes = flags.events_max_mib << 20;
  options.kernel_log = flags.kernel_log;
  options.landlock_enforce = flags.landlock_enforce;
  if (flags.progress && !(flags.progress_interval > 0)) {
    std::fprintf(stderr, "sysfence: error: --progress-interval must be > 0 seconds\n");
    return kExitRunFailed;
  }
  if (const int found = CheckProgram(command); found != kExitOk) return found;
  AskForStatusLines(flags, options);
  if (flags.verbose) {
    std::fprintf(stderr, "sysfence: running %s under %s (%s mode, %zu rules)\n", command.front().c_str(),
                 flags.policy_path.c_str(), flags.monitor ? "monitor" : "enforce", options.policy.rules.size());
  }
  Result<run::RunResult> result = run::RunUnderPolicy(options);
  if (!result.ok()) return RunError(result.error());
  if (result->exec_errno != 0) return ExecFailed(result->exec_error, result->exit_status);
  if (flags.verbose) std::fprintf(stderr, "sysfence: the program exited with status %d\n", result->exit_status);
  if (result->supervisor_failed || result->events_failed) return kExitRunFailed;
  return result->exit_status;
}

const CommandRegistration kRegistration(40, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("run", "Run a program under a policy (enforce or --monitor) and report violations");
  sub->footer(kRunHelp);
  auto flags = std::make_shared<RunFlags>();
  auto command = std::make_shared<std::vector<std::string>>();
  sub->add_option("-P,--policy", flags->policy_path,
                  "Policy file (.sfp, OCI/Docker or Kubernetes JSON; - for stdin); required unless --strict");
  sub->add_flag("--monitor", flags->monitor, "Report what the policy would deny, block nothing");
  sub->add_option("--events", flags->events_path, "Write JSON Lines events to FILE (appended; not -: see --help)");
  sub->add_option("--events-per-call", flags->events_per_call,
                  "JSON events per kind of call (default 100); later ones are counted in the summary");
  sub->add_option("--events-max-size", flags->events_max_mib,
                  "Stop writing events past this many MiB (default 1024); later calls are counted");
  OneOf(sub->add_option("--isolation", flags->isolation,
                        "require (default): refuse to start unless the kernel can wall the program off from "
                        "sysfence; best-effort: start with the walls it has"),
        {"require", "best-effort"});
  sub->add_option("--alert-exec", flags->alert_command,
                  "Run CMD (via /bin/sh -c) with each event's JSON on stdin, rate-limited");
  sub->add_option("--alert-rate", flags->alert_rate, "Alerts per second (default 5); more are dropped and counted");
  sub->add_option("--alert-burst", flags->alert_burst, "Alerts allowed at once (default 20)");
  OneOf(sub->add_option("--landlock", flags->landlock,
                        "best-effort (default): enforce what this kernel can and report the rest; require: refuse to "
                        "start otherwise"),
        {"best-effort", "require"});
  sub->add_flag("--strict", flags->strict,
                "Run the program in seccomp strict mode: read, write, exit, rt_sigreturn only (x86_64; no --policy)");
  sub->add_flag("--kernel-log", flags->kernel_log,
                "Log every non-allow decision and Landlock denial to the kernel audit stream (for `sysfence watch`), "
                "even without root");
  sub->add_flag("--landlock-enforce", flags->landlock_enforce,
                "With --monitor: enforce the policy's fs/net rules with Landlock instead of observing them");
  sub->add_flag("--progress", flags->progress, "Print a status line every --progress-interval seconds (and on SIGUSR1)");
  sub->add_option("--progress-interval", flags->progress_interval, "Seconds between --progress lines (default 5)");
  sub->add_option("command", *command, "Program and arguments (put -- before them)");
  sub->prefix_command();
  sub->callback([flags, command, sub, exit_status] {
    std::vector<std::string> full = *command;
    std::vector<std::string> rest = sub->remaining();
    // After `-- CMD ARGS`, CLI11 hands the `--` marker back as a lone remaining argument.
    if (rest.size() == 1 && rest[0] == "--") rest.clear();
    full.insert(full.end(), rest.begin(), rest.end());
    flags->quiet = Quiet();  // -q: no lines on stderr (events still go to --events)
    flags->verbose = Verbose();
    for (const char* option : kPolicyRunOptions) {
      if (sub->count(option) > 0) flags->given.push_back(option);
    }
    *exit_status = RunCommand(*flags, full);
  });
});

}  // namespace
}  // namespace sysfence::cli
