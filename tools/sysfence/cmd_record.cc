// SPDX-License-Identifier: Apache-2.0
// `sysfence record`: run a program (or attach to one) under a recorder and write the deny-by-default
// policy that lets exactly its recorded work through, with the evidence beside each rule.
#include <signal.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/errno_names.h"
#include "os/spawn.h"
#include "policy/amend.h"
#include "policy/printer.h"
#include "profile/coverage.h"
#include "formats/base_profiles.h"
#include "record/generate.h"
#include "record/launch_base.h"
#include "profile/profile_json.h"
#include "record/recorder.h"
#include "profile/summary.h"
#include "tools/sysfence/analyze_hook.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/progress_line.h"
#include "tools/sysfence/record_common.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kRecordHelp =
    "Runs CMD (or attaches to -p PID), records every syscall it and its children make, and writes\n"
    "a deny-by-default policy that allows exactly that: one rule per syscall, grouped, each with a\n"
    "comment giving the evidence (calls, failures, processes, argument values seen). Arguments whose\n"
    "values are meaningful constants (socket family, ioctl request, fcntl/prctl command, mmap and\n"
    "mprotect protection, clone flags, ...) become conditions when few values were seen. Every\n"
    "policy also allows exit, exit_group, rt_sigreturn and restart_syscall, lets the vDSO clock\n"
    "calls through, answers fallback twins of allowed syscalls (clone3, openat2, faccessat2,\n"
    "fchmodat2, statx, ...) and syscalls newer than this kernel with ENOSYS, and denies the rest with\n"
    "EPERM (--default kill to kill instead).\n"
    "\n"
    "Backends (--backend, default auto = the fastest that works here; the choice is printed):\n"
    "  ebpf     root; counts in the kernel, near native speed; launch or -p; no paths\n"
    "  unotify  no privileges; each syscall stops at this process; launch only; no error counts\n"
    "  ptrace   launch (one stop per syscall via seccomp; pinned to one CPU unless --no-pin) or -p\n"
    "           (all threads, then new children)\n"
    "\n"
    "At the end a coverage report goes to stderr: syscalls seen once, only at start-up or in only one\n"
    "process, dangerous syscalls the policy allows, and what a recording cannot prove. --summary adds\n"
    "a table like `strace -c` (so does -v); -q keeps the backend line and the report off.\n"
    "On a terminal, a live line shows calls, calls per second, distinct syscalls and processes as\n"
    "the recording goes (not with -q, nor when stderr is a file or pipe).\n"
    "--json FILE writes everything (profile, coverage) for `sysfence merge`.\n"
    "--analyze also reads the program's code first (`sysfence analyze`): the policy then allows what\n"
    "the analysis found too, each rule says whether it was seen, found, or both, and the report lists\n"
    "the syscalls the code can reach but the run never made.\n"
    "With -p, every thread of the process and of its descendants is followed, and whatever they\n"
    "start later; recording stops when they have all exited, on Ctrl-C, or after --duration seconds\n"
    "(0.5 works). --cgroup PATH follows a running container by its cgroup instead (ebpf): every\n"
    "process in it, and each that enters it later, until it is empty; --runtime-base runc-v1.1.x (or\n"
    "crun-v1.8.x) adds what the runtime calls after it installs the filter, so the profile starts the\n"
    "container (docs/containers.md). The policy's header says whether it can start the program (an execve was seen);\n"
    "--launchable adds what a start needs (execve and the loader's and libc's start-up calls,\n"
    "docs/record.md). A recording that saw no syscall at all writes no policy and exits 1.\n"
    "A launched recording ends when the launched program exits; processes it left running\n"
    "are listed (stderr, and \"orphans\" in --json). SIGINT, SIGTERM and SIGHUP go to every process\n"
    "of the recorded tree; a signal sysfence was started with ignored (nohup) stays ignored.\n"
    "\n"
    "Exit status: 0 recorded; 1 recorded, but the program failed (status printed), or nothing was\n"
    "recorded; 2 bad input or no permission for the backend (nothing started); 3 the recorder failed.\n"
    "\n"
    "Examples:\n"
    "  sysfence record -o ls.sfp -- ls -l /tmp\n"
    "  sysfence record --backend unotify --summary --json run1.json -o app.sfp -- ./app --selftest\n"
    "  sysfence record -p 4242 --duration 30 -o daemon.sfp\n"
    "  sysfence run --policy ls.sfp -- ls -l /tmp     # then enforce it\n"
    "\n"
    "docs/record.md has the details.";

struct RecordFlags {
  std::string output = "-";
  std::string backend = "auto";
  std::string json_path;
  std::string default_action = "EPERM";
  bool summary = false;
  bool fs = false;
  bool pin = false;     ///< --pin: one CPU for recorder and program, whatever the backend
  bool no_pin = false;  ///< --no-pin: never (ptrace launches are pinned by default)
  bool quiet = false;
  bool launchable = false;  ///< --launchable: with -p, add what a launch needs
  bool analyze = false;  ///< --analyze: unite with the static analysis of the program
  int pid = 0;
  double duration = 0;
  std::string cgroup;        ///< --cgroup: follow a cgroup (a running container)
  std::string runtime_base;  ///< --runtime-base: merge a bundled runtime base (runc-v1.1.x, crun-v1.8.x)
};

std::atomic<int> g_stop_signal{0};

void OnStopSignal(int signal) { g_stop_signal.store(signal == SIGALRM ? SIGINT : signal); }

// A signal sysfence was started with ignored (`nohup` ignores SIGHUP) stays ignored: it is no stop
// request, and the program inherits the ignore.
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and sees the flag
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    if (!os::IgnoredAtStart(signal)) sigaction(signal, &action, nullptr);
  }
  sigaction(SIGALRM, &action, nullptr);  // --duration's timer
}

// Arms (or with 0, disarms) a one-shot SIGALRM after `seconds` (fractions honoured).
void SetStopTimer(double seconds) {
  itimerval timer{};
  const auto whole = static_cast<time_t>(seconds);
  timer.it_value.tv_sec = whole;
  timer.it_value.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(whole)) * 1e6);
  if (seconds > 0 && timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0) timer.it_value.tv_usec = 1;
  setitimer(ITIMER_REAL, &timer, nullptr);
}

// The processes the program left behind: one line on stderr (and an "orphans" array in --json).
void ReportOrphans(const std::vector<record::Orphan>& orphans, record::Backend backend) {
  if (orphans.empty()) return;
  std::string list;
  for (const record::Orphan& orphan : orphans) {
    list += (list.empty() ? "" : ", ") + std::to_string(orphan.pid) + " (" + orphan.command + ")";
  }
  std::fprintf(stderr,
               "sysfence: warning: the program exited and left %zu process%s running: %s; the recording ended "
               "with the program (%s)\n",
               orphans.size(), orphans.size() == 1 ? "" : "es", list.c_str(),
               backend == record::Backend::kEbpf ? "they keep running, unrecorded" : "they were killed");
}

nlohmann::json OrphansToJson(const std::vector<record::Orphan>& orphans) {
  nlohmann::json out = nlohmann::json::array();
  for (const record::Orphan& orphan : orphans) out.push_back({{"pid", orphan.pid}, {"command", orphan.command}});
  return out;
}

// Writes the policy (and --json, --summary, the coverage report) of a finished recording.
int WriteRecording(const RecordFlags& flags, const record::RecordResult& result,
                   const std::optional<analyze::Analysis>& analysis, const Action& default_action) {
  record::GenerateOptions generate;
  generate.default_action = default_action;
  generate.fs_rules = flags.fs;
  const UnitedPolicy united = GenerateUnited(result.profile, analysis, generate);
  policy::Policy policy = united.policy;
  if (!flags.runtime_base.empty()) {
    auto with_base = formats::WithBaseProfile(policy, flags.runtime_base);
    if (!with_base.ok()) return ReportError(with_base.error());
    policy = std::move(with_base.value());
  }
  if (flags.pid != 0 || !flags.cgroup.empty()) {
    const bool add_base = flags.launchable && !record::SawLaunch(result.profile);
    if (add_base) {
      policy = policy::AmendPolicy(policy, record::LaunchBaseCalls(result.profile.native_arch)).policy;
    }
    policy.comment = record::LaunchNote(result.profile, add_base);
  }
  const std::string text = record::RenderGeneratedPolicy(result.profile, policy);
  const profile::CoverageReport coverage = profile::AnalyzeCoverage(united.profile, policy);

  if (!flags.json_path.empty()) {
    nlohmann::json json = profile::ProfileToJson(result.profile);
    json["coverage"] = profile::CoverageToJson(coverage);
    json["exit_status"] = result.exit_status;
    if (!result.orphans.empty()) json["orphans"] = OrphansToJson(result.orphans);
    if (united.report) json["analysis"] = analyze::UnionToJson(*united.report);
    if (auto written = WriteOutputFile(flags.json_path, json.dump(2) + "\n"); !written.ok()) {
      return ReportError(written.error());
    }
  }
  if (auto written = WriteOutputFile(flags.output, text); !written.ok()) return ReportError(written.error());
  if (flags.summary) std::fputs(profile::RenderSummary(result.profile).c_str(), stderr);
  if (!flags.quiet) std::fputs(profile::RenderCoverage(coverage).c_str(), stderr);
  if (!flags.quiet && united.report) std::fputs(analyze::RenderUnion(*united.report).c_str(), stderr);
  if (result.exit_status != 0 && flags.pid == 0) {
    std::fprintf(stderr,
                 "sysfence: warning: the program exited with status %d: the recording may show an error path\n",
                 result.exit_status);
    return kExitFindings;
  }
  return kExitOk;
}

// What --runtime-base offers: the bundled bases' names ("runc-v1.1.x") and their runtimes ("runc").
std::vector<std::string> RuntimeBaseWords() {
  std::vector<std::string> words = formats::BaseProfileNames();
  for (const std::string& name : formats::BaseProfileNames()) words.push_back(name.substr(0, name.find('-')));
  return words;
}

int RecordCommand(const RecordFlags& flags, const std::vector<std::string>& command) {
  auto backend = record::BackendFromName(flags.backend);
  if (!backend) {
    std::fprintf(stderr, "sysfence: error: unknown backend '%s' (use auto, ebpf, unotify or ptrace)\n",
                 flags.backend.c_str());
    return kExitBadInput;
  }
  auto default_action = ParseDefaultAction(flags.default_action);
  if (!default_action.ok()) return ReportError(default_action.error());
  for (const std::string& path : {flags.output, flags.json_path}) {
    if (auto writable = CheckOutputPath(path); !writable.ok()) return ReportError(writable.error());
  }
  if (!flags.runtime_base.empty() && !formats::ResolveBaseProfileName(flags.runtime_base)) {
    return ReportError(formats::LoadBaseProfile(flags.runtime_base).error());
  }
  if (flags.launchable && flags.pid == 0 && flags.cgroup.empty()) {
    std::fprintf(stderr, "sysfence: error: --launchable is for -p: a launched recording sees the launch itself\n");
    return kExitBadInput;
  }
  if (flags.duration < 0) {
    std::fprintf(stderr, "sysfence: error: --duration must be positive\n");
    return kExitBadInput;
  }
  record::RecordOptions options;
  options.backend = *backend;
  options.command = command;
  options.pid = flags.pid;
  options.cgroup = flags.cgroup;
  options.paths = flags.fs;
  if (flags.pin && flags.no_pin) {
    std::fprintf(stderr, "sysfence: error: --pin and --no-pin contradict each other\n");
    return kExitBadInput;
  }
  options.stop_signal = &g_stop_signal;
  if (auto checked = record::CheckRecordOptions(options); !checked.ok()) {
    std::fprintf(stderr, "sysfence: error: %s\n", checked.error().message.c_str());
    // Nothing started: a missing program or pid, or no permission for the backend, is bad input.
    return checked.error().code == ErrorCode::kUnsupported ? kExitFailure : kExitBadInput;
  }
  std::optional<analyze::Analysis> analysis;
  if (flags.analyze) {
    // Before anything runs: a program the analysis cannot read is bad input.
    auto analysed = AnalyzeForRecording(flags.pid != 0 ? "/proc/" + std::to_string(flags.pid) + "/exe"
                                                       : (command.empty() ? "" : command[0]));
    if (!analysed.ok()) return ReportError(analysed.error());
    analysis = std::move(analysed.value());
  }
  std::string why;
  const record::Backend chosen = record::ChooseBackend(options, &why);
  // A ptrace stop is two context switches between tracer and tracee; on one CPU they are cheap
  // handoffs, on two each one wakes an idle CPU (7x slower here: docs/performance.md). An attached
  // process keeps its own CPUs: sysfence does not change the affinity of a program it did not start.
  options.backend = chosen;
  options.pin_cpu = flags.pin || (!flags.no_pin && chosen == record::Backend::kPtrace && flags.pid == 0);
  if (!flags.quiet) {
    std::fprintf(stderr, "sysfence: recording with the %s backend (%s)\n",
                 std::string(record::BackendName(chosen)).c_str(), why.c_str());
  }
  InstallStopHandlers();
  if (flags.duration > 0) SetStopTimer(flags.duration);
  profile::LiveCounts live;
  options.live = &live;
  std::optional<ProgressLine> progress;
  progress.emplace(RecordingProgressText(live), LiveLineWanted());
  auto recorded = record::Record(options);
  progress.reset();
  SetStopTimer(0);
  if (!recorded.ok()) {
    std::fprintf(stderr, "sysfence: error: recording failed: %s\n", recorded.error().message.c_str());
    // Refused permission (ptrace -p on another user's process) is found before anything runs.
    return recorded.error().code == ErrorCode::kPermission ? kExitBadInput : kExitFailure;
  }
  const record::RecordResult& result = recorded.value();
  ReportOrphans(result.orphans, result.backend);
  if (profile::TotalCalls(result.profile) == 0) {
    std::fprintf(stderr,
                 "sysfence: warning: recorded no syscall%s: no policy written (was the process asleep the whole "
                 "time? record longer, or while it works)\n",
                 flags.pid != 0 ? fmt::format(" from pid {} and its threads and children", flags.pid).c_str() : "");
    return kExitFindings;
  }

  return WriteRecording(flags, result, analysis, default_action.value());
}

const CommandRegistration kRegistration(20, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("record", "Record what a program asks of the kernel and write its policy");
  sub->footer(kRecordHelp);
  auto flags = std::make_shared<RecordFlags>();
  auto command = std::make_shared<std::vector<std::string>>();
  sub->add_option("-o,--output", flags->output, "Write the policy to FILE (default: standard output)");
  OneOf(sub->add_option("--backend", flags->backend, "auto (default), ebpf, unotify or ptrace"),
        {"auto", "ebpf", "unotify", "ptrace"});
  sub->add_flag("--summary", flags->summary, "Print calls, errors and share per syscall (like strace -c) to stderr");
  sub->add_option("--json", flags->json_path, "Write the whole recording and coverage report as JSON to FILE");
  sub->add_flag("--fs", flags->fs, "Record opened and executed paths and add fs (Landlock) rules");
  sub->add_option("-p,--pid", flags->pid, "Attach to running process PID (all threads, then new children)");
  sub->add_option("--duration", flags->duration, "With -p or --cgroup: stop after SECONDS");
  sub->add_option("--cgroup", flags->cgroup,
                  "Record every process of a cgroup (a running container: /sys/fs/cgroup/... or /PATH as "
                  "/proc/PID/cgroup writes it), and every process that enters it, until it is empty (ebpf)");
  OneOf(sub->add_option("--runtime-base", flags->runtime_base,
                        "Merge a container runtime's bundled base profile: its name, the runtime's "
                        "(runc), or the runtime and version as SPO writes them (runc-v1.1.5); docs/containers.md"),
        RuntimeBaseWords(), [](const std::string& name) { return formats::ResolveBaseProfileName(name).has_value(); });
  sub->add_flag("--launchable", flags->launchable,
                "With -p: add what starting the program needs (execve, the loader's start-up), unless seen");
  sub->add_option("--default", flags->default_action,
                  "What unrecorded syscalls get: an errno name (default EPERM) or kill");
  sub->add_flag("--pin", flags->pin,
                "Run recorder and program on one CPU (the default for ptrace launches; the program sees one CPU)");
  sub->add_flag("--no-pin", flags->no_pin, "Leave the program all CPUs, also with ptrace (slower recording)");
  sub->add_flag("--analyze", flags->analyze,
                "Also analyse the program's code: allow what it can reach, report what the run never made");
  sub->add_option("command", *command, "Program and arguments (put -- before them)");
  sub->prefix_command();
  sub->callback([flags, command, sub, exit_status] {
    std::vector<std::string> full = *command;
    std::vector<std::string> rest = sub->remaining();
    // After `-- CMD ARGS`, CLI11 hands the `--` marker back as a lone remaining argument.
    if (rest.size() == 1 && rest[0] == "--") rest.clear();
    full.insert(full.end(), rest.begin(), rest.end());
    flags->quiet = Quiet();
    flags->summary = flags->summary || Verbose();
    *exit_status = RecordCommand(*flags, full);
  });
});

}  // namespace
}  // namespace sysfence::cli
