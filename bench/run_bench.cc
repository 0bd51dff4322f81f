// SPDX-License-Identifier: Apache-2.0
// Runtime benchmarks for `sysfence run` (docs/performance.md, "Runtime"), in one run, with ratios:
//
//  1. A syscall-heavy loop (getppid, read, openat, close; 2 M calls by default) under a
//     ~300-syscall allowlist: native (no filter), the allow-all filter (the physical floor),
//     sysfence enforce and sysfence monitor (the filters `run` installs and its Landlock domain,
//     started through run's launcher, no violations), and the same allowlist through libseccomp.
//  2. A violation-heavy loop: calls per second of one reported syscall. Enforce: denied by the
//     filter itself, with and without the kernel's audit records read as events (root); a `log`
//     rule through the supervisor (JSON event per call to /dev/null), with and without
//     FD_SYNC_WAKE_UP; monitor (first event, then counts).
//
// Usage: run_bench [--calls N] [--violations N] [--repeat R]
// The binary re-executes itself ("--child ...") to run each loop in a fresh process.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <optional>
#include <thread>
#include <vector>

#include "codegen/compile.h"
#include "os/landlock.h"
#include "run/denial_observer.h"
#include "run/event_sink.h"
#include "run/launcher.h"
#include "run/supervised_policy.h"
#include "run/supervisor.h"
#include "syscalls/syscalls.h"

namespace {

using sysfence::Action;
using sysfence::Arch;
namespace run = sysfence::run;
namespace os = sysfence::os;
namespace policy = sysfence::policy;

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// --- the child side: loops that report their own duration on fd 3 -----------------------------

int ChildSyscallLoop(long calls) {
  const int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  char byte;
  const long iterations = calls / 4;
  const int64_t start = NowNs();
  for (long i = 0; i < iterations; ++i) {
    syscall(SYS_getppid);
    if (read(zero, &byte, 1) != 1) return 2;
    const int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC));
    if (fd < 0) return 3;
    close(fd);
  }
  const int64_t elapsed = NowNs() - start;
  return write(3, &elapsed, sizeof(elapsed)) == sizeof(elapsed) ? 0 : 4;
}

int ChildViolationLoop(long calls) {
  char buffer[512];
  const int64_t start = NowNs();
  for (long i = 0; i < calls; ++i) syscall(SYS_uname, buffer);  // denied by the benchmark policy
  const int64_t elapsed = NowNs() - start;
  return write(3, &elapsed, sizeof(elapsed)) == sizeof(elapsed) ? 0 : 4;
}

// --- policies ------------------------------------------------------------------------------------

// ~300 x86_64 syscalls allowed, the rest EPERM: a realistic service allowlist that includes the loop.
policy::Policy Allowlist() {
  static const std::set<std::string> kDenied = {
      "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load", "kexec_file_load", "init_module",
      "finit_module", "delete_module", "mount", "umount2", "pivot_root", "swapon", "swapoff", "reboot",
      "acct", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname",
      "iopl", "ioperm", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "quotactl",
      "quotactl_fd", "lookup_dcookie", "perf_event_open", "bpf", "userfaultfd", "io_uring_setup",
      "io_uring_enter", "io_uring_register", "open_by_handle_at", "name_to_handle_at", "fsopen", "fsmount",
      "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr", "keyctl", "add_key", "request_key",
      "unshare", "setns", "vhangup", "syslog", "uselib", "personality", "afs_syscall", "tuxcall", "security",
      "vserver", "putpmsg", "getpmsg", "modify_ldt", "_sysctl", "kcmp", "pkey_alloc", "pkey_free",
      "pkey_mprotect", "migrate_pages", "move_pages", "mbind", "set_mempolicy", "uname",
      "lsm_set_self_attr", "lsm_get_self_attr", "lsm_list_modules"};
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Errno(EPERM);
  policy::Rule rule;
  rule.action = Action::Allow();
  for (const auto& entry : sysfence::syscalls::AllOf(Arch::kX86_64)) {
    if (!kDenied.count(std::string(entry.name))) rule.targets.emplace_back(entry.name);
  }
  policy.rules.push_back(rule);
  return policy;
}

// Everything allowed but uname, which the policy denies.
policy::Policy UnameRule(Action action) {
  policy::Policy policy;
  policy.arches = {Arch::kX86_64};
  policy.default_action = Action::Allow();
  policy::Rule rule;
  rule.action = action;
  rule.targets = {"uname"};
  policy.rules.push_back(rule);
  return policy;
}

// --- the parent side ---------------------------------------------------------------------------

enum class Setup { kNative, kAllowAll, kSysfenceEnforce, kSysfenceMonitor, kLibseccomp };

struct Measured {
  double ns_per_call = 0;
  bool ok = false;
  uint64_t reported = 0;  ///< calls the supervisor reported (notifications and audit records)
  uint64_t lost = 0;      ///< audit record batches the kernel dropped for the observer
};

// Installs what `setup` asks for in the current (child) process.
bool InstallInChild(Setup setup, const policy::Policy& policy) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  if (setup == Setup::kAllowAll) {
    sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    sock_fprog program{1, &allow};
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0;
  }
  if (setup == Setup::kLibseccomp) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    for (const std::string& name : policy.rules[0].targets) {
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr != __NR_SCMP_ERROR) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    const bool ok = seccomp_load(ctx) == 0;
    seccomp_release(ctx);
    return ok;
  }
  return true;
}

// Runs `self --child MODE N` with the loop's duration coming back on fd 3.
Measured Measure(Setup setup, const policy::Policy& policy, const char* mode, long calls, bool sync_wake_up,
                 bool events, bool observe_denials = false) {
  int timing[2];
  if (pipe(timing) != 0) return {};
  std::vector<std::string> argv = {"/proc/self/exe", "--child", mode, std::to_string(calls)};
  Measured measured;
  if (setup == Setup::kSysfenceEnforce || setup == Setup::kSysfenceMonitor) {
    const run::RunMode run_mode = setup == Setup::kSysfenceEnforce ? run::RunMode::kEnforce : run::RunMode::kMonitor;
    run::LaunchSpec spec;
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return {};
    self[n] = '\0';
    spec.path = self;
    spec.argv = argv;
    spec.argv[0] = self;
    auto filter = sysfence::codegen::Compile(run::SupervisedPolicy(policy, run_mode));
    if (!filter.ok()) {
      std::fprintf(stderr, "compile: %s\n", filter.error().message.c_str());
      return {};
    }
    spec.filter = filter.value();
    spec.want_listener = run::NeedsListener(policy, run_mode);
    // The Landlock domain every `run` program gets (run/isolation.h), as `run` applies it.
    spec.before_filter = []() -> sysfence::Result<std::string> {
      os::LandlockOptions isolation;
      isolation.isolation = true;
      auto applied = os::ApplyLandlock({}, os::LandlockMode::kBestEffort, isolation);
      if (!applied.ok()) return applied.error();
      return std::string();
    };
    std::optional<run::DenialObserver> observer;
    if (observe_denials) {
      auto opened = run::DenialObserver::Open();
      if (!opened.ok()) {
        std::fprintf(stderr, "audit: %s\n", opened.error().message.c_str());
        return {};
      }
      observer.emplace(std::move(opened).value());
      spec.log_denials = true;
    }
    const int saved = dup(3);
    dup2(timing[1], 3);  // the child inherits fd 3 (not close-on-exec)
    auto child = run::StartChild(spec);
    if (saved >= 0) {
      dup2(saved, 3);
      close(saved);
    } else {
      close(3);
    }
    if (!child.ok()) {
      std::fprintf(stderr, "launch: %s\n", child.error().message.c_str());
      return {};
    }
    run::LaunchedChild launched = std::move(child).value();
    if (observer) observer->Follow(launched.pid);
    const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    run::BufferedWriter sink(null_fd, true);
    run::SupervisorOptions options;
    options.policy = &policy;
    options.mode = run_mode;
    options.json = events ? &sink : nullptr;
    options.denials = observer ? &*observer : nullptr;
    options.max_events_per_shape = ~uint64_t{0};  // measure the cost of an event per call
    std::unique_ptr<run::Supervisor> supervisor;
    std::thread thread;
    int stop_pipe[2];
    if (pipe(stop_pipe) != 0) return {};
    if (launched.listener_fd >= 0 || observer) {
      supervisor = std::make_unique<run::Supervisor>(launched.listener_fd, options);
      if (sync_wake_up && launched.listener_fd >= 0) supervisor->EnableSyncWakeUp();
      launched.listener_fd = -1;
      thread = std::thread([&] { (void)supervisor->Run(stop_pipe[0]); });
    }
    if (!run::ReleaseAndAwaitExec(launched).ok()) return {};
    int status = 0;
    waitpid(launched.pid, &status, 0);
    if (write(stop_pipe[1], "x", 1) != 1) return {};
    if (thread.joinable()) thread.join();
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    close(launched.pidfd);
    measured.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (supervisor) {
      measured.reported = supervisor->Summary(0).reported_calls;
      measured.lost = supervisor->Summary(0).records_lost;
    }
  } else {
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(timing[1], 3);
      if (setup != Setup::kNative && !InstallInChild(setup, policy)) _exit(9);
      std::vector<char*> args;
      for (std::string& arg : argv) args.push_back(arg.data());
      args.push_back(nullptr);
      execv("/proc/self/exe", args.data());
      _exit(10);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    measured.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  close(timing[1]);
  int64_t elapsed = 0;
  if (read(timing[0], &elapsed, sizeof(elapsed)) != sizeof(elapsed)) measured.ok = false;
  close(timing[0]);
  measured.ns_per_call = static_cast<double>(elapsed) / static_cast<double>(calls);
  return measured;
}

double Best(Setup setup, const policy::Policy& policy, const char* mode, long calls, int repeat, bool sync,
            bool events, bool observe = false, uint64_t* reported = nullptr, uint64_t* lost = nullptr) {
  double best = 1e30;
  for (int i = 0; i < repeat; ++i) {
    const Measured m = Measure(setup, policy, mode, calls, sync, events, observe);
    if (!m.ok) return -1;
    if (m.ns_per_call < best && reported != nullptr) *reported = m.reported;
    if (m.ns_per_call < best && lost != nullptr) *lost = m.lost;
    best = std::min(best, m.ns_per_call);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--child") == 0) {
    const long calls = std::atol(argv[3]);
    if (std::strcmp(argv[2], "syscalls") == 0) return ChildSyscallLoop(calls);
    if (std::strcmp(argv[2], "violations") == 0) return ChildViolationLoop(calls);
    return 64;
  }
  long calls = 2'000'000;
  long violations = 200'000;
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--violations") == 0) violations = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  const policy::Policy allowlist = Allowlist();
  std::printf("# sysfence runtime benchmark: %ld calls (getppid, read, openat, close), best of %d\n", calls, repeat);
  std::printf("# allowlist: %zu syscalls allowed, default errno EPERM\n", allowlist.rules[0].targets.size());
  struct Row {
    const char* name;
    Setup setup;
  };
  const Row rows[] = {{"native (no filter)", Setup::kNative},
                      {"allow-all filter (floor)", Setup::kAllowAll},
                      {"sysfence enforce", Setup::kSysfenceEnforce},
                      {"sysfence monitor", Setup::kSysfenceMonitor},
                      {"libseccomp 2.5 (same allowlist)", Setup::kLibseccomp}};
  double results[5];
  for (int i = 0; i < 5; ++i) results[i] = Best(rows[i].setup, allowlist, "syscalls", calls, repeat, true, false);
  const double native = results[0], floor = results[1];
  std::printf("%-34s %10s %12s %12s\n", "setup", "ns/call", "vs floor", "vs native");
  for (int i = 0; i < 5; ++i) {
    if (results[i] < 0) {
      std::printf("%-34s %10s\n", rows[i].name, "FAILED");
      continue;
    }
    std::printf("%-34s %10.1f %11.3fx %11.3fx\n", rows[i].name, results[i], results[i] / floor, results[i] / native);
  }
  std::printf("# sysfence enforce vs libseccomp: %.3fx\n", results[2] / results[4]);

  const policy::Policy deny_uname = UnameRule(Action::Errno(EPERM));
  const policy::Policy log_uname = UnameRule(Action::Log());
  std::printf("\n# violation-heavy loop: %ld uname calls, best of %d\n", violations, std::max(1, repeat / 2));
  const struct {
    const char* name;
    const policy::Policy* policy;
    Setup setup;
    bool sync;
    bool events;
    bool observe;
  } vrows[] = {
      {"enforce errno, kernel only (no events)", &deny_uname, Setup::kSysfenceEnforce, true, false, false},
      {"enforce errno, audit records as events (root)", &deny_uname, Setup::kSysfenceEnforce, true, true, true},
      {"enforce log rule, JSON event per call, sync", &log_uname, Setup::kSysfenceEnforce, true, true, false},
      {"enforce log rule, JSON event per call, no sync", &log_uname, Setup::kSysfenceEnforce, false, true, false},
      {"monitor errno (first event, then counts), sync", &deny_uname, Setup::kSysfenceMonitor, true, true, false}};
  std::printf("%-48s %12s %14s %10s %8s\n", "setup", "us/call", "calls/s", "reported", "lost");
  for (const auto& row : vrows) {
    uint64_t reported = 0;
    uint64_t lost = 0;
    const double ns = Best(row.setup, *row.policy, "violations", violations, std::max(1, repeat / 2), row.sync,
                           row.events, row.observe, &reported, &lost);
    if (ns < 0) {
      std::printf("%-48s %12s\n", row.name, "FAILED");
      continue;
    }
    std::printf("%-48s %12.2f %14.0f %9.1f%% %8llu\n", row.name, ns / 1000.0, 1e9 / ns,
                100.0 * static_cast<double>(reported) / static_cast<double>(violations),
                static_cast<unsigned long long>(lost));
  }
  return 0;
}
