// SPDX-License-Identifier: Apache-2.0
#include "os/spawn.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "os/seccomp_uapi.h"

extern char** environ;

namespace sysfence::os {
namespace {

// Dispositions this process started with, read before main() (static initialization) so that
// what sysfence changes later (SIGPIPE, its stop handlers) does not hide what it inherited.
struct StartDispositions {
  std::array<bool, NSIG> ignored{};
  StartDispositions() {
    for (int signal = 1; signal < NSIG; ++signal) {
      struct sigaction current {};
      ignored[signal] = sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
    }
  }
};
const StartDispositions kStartDispositions;

// States of the child, written by one side and read by the other.
enum State : int { kStarting = 0, kAtGate = 1, kGo = 2, kExecuting = 3, kFailed = 4 };

// Step index used for execve and for the hand-over (not in spec.steps).
constexpr int kExecStep = -1;
constexpr int kHandOverStep = -2;

}  // namespace

// Memory shared between parent and child (MAP_SHARED, set up before fork).
struct SpawnedChild::Shared {
  std::atomic<int> state{kStarting};
  int listener_fd = -1;
  int failed_step = 0;
  int error = 0;
  char message[2048] = {};
  char note[4096] = {};
};
static_assert(std::atomic<int>::is_always_lock_free);

namespace {

using Shared = SpawnedChild::Shared;

// The mapping holding Shared; unmapped when the last owner goes.
std::shared_ptr<Shared> MapShared() {
  void* memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return nullptr;
  return std::shared_ptr<Shared>(new (memory) Shared(), [](Shared* shared) { munmap(shared, sizeof(Shared)); });
}

void CopyText(char* out, size_t size, std::string_view text) {
  const size_t n = std::min(size - 1, text.size());
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

// Only plain stores: the child may already be under its filter.
[[noreturn]] void ChildFail(Shared* shared, int step, int error, std::string_view message) {
  shared->failed_step = step;
  shared->error = error;
  CopyText(shared->message, sizeof(shared->message), message);
  shared->state.store(kFailed, std::memory_order_release);
  _exit(127);
}

std::string StepName(const SpawnStep& step) {
  switch (step.kind) {
    case SpawnStepKind::kNamespaces: return "namespaces (" + CloneFlagsText(step.namespaces) + ")";
    case SpawnStepKind::kRlimits: return "rlimits (prlimit)";
    case SpawnStepKind::kCapabilities: return "capabilities (libcap)";
    case SpawnStepKind::kSignals: return "signal setup";
    case SpawnStepKind::kDeathSignal: return "parent-death signal (prctl PR_SET_PDEATHSIG)";
    case SpawnStepKind::kNoNewPrivs: return "no_new_privs (prctl PR_SET_NO_NEW_PRIVS)";
    case SpawnStepKind::kTraceMe: return "ptrace(PTRACE_TRACEME)";
    case SpawnStepKind::kCustom: return step.name;
    case SpawnStepKind::kAffinity: return "cpu affinity (sched_setaffinity)";
    case SpawnStepKind::kSeccomp: return "seccomp filter (seccomp SECCOMP_SET_MODE_FILTER)";
  }
  return "start";
}

// Empty mask; every signal ignored at start ignored again, every other one at its default (the
// program must not inherit sysfence's SIGPIPE ignore or stop handlers).
int ResetSignals() {
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) != 0) return errno;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    struct sigaction current {};
    if (sigaction(signal, nullptr, &current) != 0) continue;  // reserved by libc (SIGCANCEL ...)
    const bool ignore = kStartDispositions.ignored[signal];
    if (ignore == (current.sa_handler == SIG_IGN)) continue;
    struct sigaction wanted {};
    wanted.sa_handler = ignore ? SIG_IGN : SIG_DFL;
    sigemptyset(&wanted.sa_mask);
    sigaction(signal, &wanted, nullptr);
  }
  return 0;
}

// Installs the step's filter and publishes the listener; returns errno on failure.
int InstallSeccomp(const SpawnStep& step, Shared* shared) {
  sock_fprog program{static_cast<unsigned short>(step.filter.size()),
                     reinterpret_cast<sock_filter*>(const_cast<bpf::Instruction*>(step.filter.data()))};
  const unsigned long flags =
      (step.new_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0) | (step.log ? SECCOMP_FILTER_FLAG_LOG : 0);
  const long fd = SeccompSyscall(SECCOMP_SET_MODE_FILTER, static_cast<unsigned>(flags), &program);
  if (fd < 0) return errno;
  shared->listener_fd = step.new_listener ? static_cast<int>(fd) : -1;
  return 0;
}

// The errno standing for `result`'s error (EPERM for a refusal), with its message in `message`.
int StepError(const Result<void>& result, std::string& message) {
  if (result.ok()) return 0;
  message = result.error().message;
  return result.error().code == ErrorCode::kPermission ? EPERM : EINVAL;
}

// Runs one step in the child; returns errno (or -1 with `message` set) on failure; `message`, when
// set, replaces strerror(errno) in the report.
int RunStep(const SpawnStep& step, Shared* shared, std::string& message) {
  switch (step.kind) {
    case SpawnStepKind::kNamespaces: return StepError(SetUpNamespaces(step.namespaces, step.identity), message);
    case SpawnStepKind::kRlimits: return StepError(ApplyResourceLimits(step.limits), message);
    case SpawnStepKind::kCapabilities: return StepError(KeepOnlyCapabilities(step.keep_capabilities), message);
    case SpawnStepKind::kSignals: return ResetSignals();
    case SpawnStepKind::kDeathSignal:
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
      return getppid() == 1 ? ESRCH : 0;
    case SpawnStepKind::kNoNewPrivs: return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : errno;
    case SpawnStepKind::kTraceMe:
      if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return errno;
      raise(SIGSTOP);  // the parent sets its ptrace options, then continues us
      return 0;
    case SpawnStepKind::kCustom: {
      Result<std::string> note = step.custom();
      if (!note.ok()) {
        message = note.error().message;
        return -1;
      }
      if (!note->empty()) {
        const size_t used = std::strlen(shared->note);
        CopyText(shared->note + used, sizeof(shared->note) - used, (used > 0 ? "\n" : "") + note.value());
      }
      return 0;
    }
    case SpawnStepKind::kAffinity: {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(step.cpu, &set);
      return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : errno;
    }
    case SpawnStepKind::kSeccomp: return InstallSeccomp(step, shared);
  }
  return 0;
}

// Runs in the forked child. Everything it needs after the filter is in place was prepared before.
// Waits at the gate until the parent opens it. Without a filter the child may block in read() on
// the go pipe (EOF opens it); under a filter every syscall could be notified or traced, so it spins
// instead: the clock is read through the vDSO, and a long wait means the parent is gone.
void AwaitGo(Shared* shared, int go_fd, bool filtered) {
  if (!filtered) {
    char byte;
    while (read(go_fd, &byte, 1) < 0 && errno == EINTR) {
    }
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (unsigned spins = 0; shared->state.load(std::memory_order_acquire) != kGo; ++spins) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if ((spins & 0xffff) == 0 && std::chrono::steady_clock::now() > deadline) _exit(126);
  }
}

// Runs in the forked child. Everything it needs after the filter is in place was prepared before.
[[noreturn]] void ChildMain(const SpawnSpec& spec, Shared* shared, int status_fd, int go_fd, char* const* argv) {
  bool filtered = false;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    const SpawnStep& step = spec.steps[i];
    if (step.kind == SpawnStepKind::kSeccomp) {
      // Tell the parent the filter is next; from here on no syscall but seccomp() and execve().
      const char ready = 'F';
      if (write(status_fd, &ready, 1) != 1) ChildFail(shared, kHandOverStep, errno, std::strerror(errno));
      filtered = true;
    }
    std::string message;
    const int error = RunStep(step, shared, message);
    if (error != 0) {
      ChildFail(shared, static_cast<int>(i), error > 0 ? error : 0, message.empty() ? std::strerror(error) : message);
    }
  }
  shared->state.store(kAtGate, std::memory_order_release);
  AwaitGo(shared, go_fd, filtered);
  shared->state.store(kExecuting, std::memory_order_release);
  execve(spec.path.c_str(), argv, environ);
  shared->failed_step = kExecStep;
  shared->error = errno;
  shared->state.store(kFailed, std::memory_order_release);
  _exit(127);
}

void Reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
  }
}

Error ChildError(const Shared* shared, const std::vector<std::string>& step_names) {
  const int step = shared->failed_step;
  std::string name = step == kExecStep ? "execve" : step == kHandOverStep ? "listener hand-over" : "start";
  if (step >= 0 && static_cast<size_t>(step) < step_names.size()) name = step_names[static_cast<size_t>(step)];
  std::string reason = shared->message[0] != '\0' ? shared->message : std::strerror(shared->error);
  ErrorCode code = ErrorCode::kOs;
  if (shared->error == 0 && step >= 0) code = ErrorCode::kUnsupported;  // a custom step (Landlock) refused
  if (shared->error == EPERM || shared->error == EACCES) code = ErrorCode::kPermission;
  const bool caps_dropped =
      std::find(step_names.begin(), step_names.end(), "capabilities (libcap)") != step_names.end();
  if (step == kExecStep && shared->error == EPERM) {
    reason += caps_dropped ? " (the policy must allow execve for the program to start; or the program has file "
                             "capabilities with the effective bit (getcap) that the capabilities kept do not "
                             "cover, which the kernel refuses to start without them)"
                           : " (the policy must allow execve for the program to start)";
  }
  if (shared->error == EBUSY && name == "seccomp filter (seccomp SECCOMP_SET_MODE_FILTER)") {
    reason += " (the process already has a filter with a notification listener; run cannot stack a second one)";
  }
  return MakeError(code, fmt::format("step '{}' failed: {}", name, reason));
}

bool HasStep(const SpawnSpec& spec, SpawnStepKind kind) {
  return std::any_of(spec.steps.begin(), spec.steps.end(), [kind](const SpawnStep& step) { return step.kind == kind; });
}

}  // namespace

SpawnStep SpawnStep::Of(SpawnStepKind kind) {
  SpawnStep step;
  step.kind = kind;
  return step;
}

SpawnStep SpawnStep::Custom(std::string name, std::function<Result<std::string>()> run) {
  SpawnStep step = Of(SpawnStepKind::kCustom);
  step.name = std::move(name);
  step.custom = std::move(run);
  return step;
}

SpawnStep SpawnStep::Affinity(int cpu) {
  SpawnStep step = Of(SpawnStepKind::kAffinity);
  step.cpu = cpu;
  return step;
}

SpawnStep SpawnStep::Namespaces(uint64_t flags) {
  SpawnStep step = Of(SpawnStepKind::kNamespaces);
  step.namespaces = flags;
  step.identity = CurrentIdentity();
  return step;
}

SpawnStep SpawnStep::Rlimits(std::vector<ResourceLimit> limits) {
  SpawnStep step = Of(SpawnStepKind::kRlimits);
  step.limits = std::move(limits);
  return step;
}

SpawnStep SpawnStep::Capabilities(std::vector<int> keep) {
  SpawnStep step = Of(SpawnStepKind::kCapabilities);
  step.keep_capabilities = std::move(keep);
  return step;
}

SpawnStep SpawnStep::Seccomp(bpf::Program filter, bool new_listener, bool log) {
  SpawnStep step = Of(SpawnStepKind::kSeccomp);
  step.filter = std::move(filter);
  step.new_listener = new_listener;
  step.log = log;
  return step;
}

SpawnedChild::SpawnedChild() = default;
SpawnedChild::SpawnedChild(SpawnedChild&& other) noexcept { *this = std::move(other); }
SpawnedChild& SpawnedChild::operator=(SpawnedChild&& other) noexcept {
  if (this == &other) return *this;
  if (pid_ > 0 && !released_) KillAndReap();
  pid_ = std::exchange(other.pid_, -1);
  pidfd_ = std::move(other.pidfd_);
  listener_ = std::move(other.listener_);
  status_ = std::move(other.status_);
  go_ = std::move(other.go_);
  note_ = std::move(other.note_);
  shared_ = std::move(other.shared_);
  step_names_ = std::move(other.step_names_);
  released_ = std::exchange(other.released_, false);
  return *this;
}
SpawnedChild::~SpawnedChild() {
  if (pid_ > 0 && !released_) KillAndReap();
}

void SpawnedChild::Release() {
  if (!shared_ || released_) return;
  released_ = true;
  shared_->state.store(kGo, std::memory_order_release);
  go_.reset();  // EOF for a child blocked on the go pipe
}

Result<void> SpawnedChild::AwaitExec() {
  if (!shared_ || !status_.valid()) return MakeError(ErrorCode::kInternal, "no child is waiting to exec");
  char byte;
  ssize_t n;
  do {
    n = read(status_.get(), &byte, 1);
  } while (n < 0 && errno == EINTR);
  status_.reset();
  std::optional<Error> failure = Failure();
  if (failure) {
    Reap(pid_);
    pid_ = -1;
    return *failure;
  }
  return Ok();
}

Result<void> SpawnedChild::ReleaseAndAwaitExec() {
  Release();
  return AwaitExec();
}

std::optional<Error> SpawnedChild::Failure() const {
  if (!shared_ || shared_->state.load(std::memory_order_acquire) != kFailed) return std::nullopt;
  return ChildError(shared_.get(), step_names_);
}

int SpawnedChild::exec_errno() const {
  if (!shared_ || shared_->state.load(std::memory_order_acquire) != kFailed) return 0;
  return shared_->failed_step == kExecStep ? shared_->error : 0;
}

void SpawnedChild::KillAndReap() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(pid_);
  pid_ = -1;
}

void SpawnedChild::Detach() {
  released_ = true;
  pid_ = -1;
}

namespace {

// Parent side of a kTraceMe step: wait for the child's SIGSTOP, let the caller set its options,
// continue. An error means the child is gone (reaped) or was killed.
Result<void> HandleTraceStop(const SpawnSpec& spec, SpawnedChild& child, const Shared* shared,
                             const std::vector<std::string>& names) {
  for (;;) {
    int status = 0;
    pid_t waited;
    do {
      waited = waitpid(child.pid(), &status, __WALL);
    } while (waited < 0 && errno == EINTR);
    if (waited < 0) return MakeError(ErrorCode::kOs, fmt::format("waitpid: {}", std::strerror(errno)));
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      child.Detach();
      if (shared->state.load() == kFailed) return ChildError(shared, names);
      return MakeError(ErrorCode::kOs, "the child died during setup");
    }
    if (!WIFSTOPPED(status)) continue;
    if (WSTOPSIG(status) != SIGSTOP) {  // another signal first: deliver it
      ptrace(PTRACE_CONT, child.pid(), nullptr, reinterpret_cast<void*>(static_cast<long>(WSTOPSIG(status))));
      continue;
    }
    if (spec.on_trace_stop) {
      if (Result<void> done = spec.on_trace_stop(child.pid()); !done.ok()) return done.error();
    }
    if (ptrace(PTRACE_CONT, child.pid(), nullptr, nullptr) != 0) {
      return MakeError(ErrorCode::kOs, fmt::format("ptrace(PTRACE_CONT): {}", std::strerror(errno)));
    }
    return Ok();
  }
}

// Waits until the child is at the gate. Untraced: the pidfd says when it died. Traced: signal stops
// are passed on and an exit is seen by waitpid.
Result<void> AwaitGate(SpawnedChild& child, const Shared* shared, bool traced, const std::vector<std::string>& names) {
  for (;;) {
    const int state = shared->state.load(std::memory_order_acquire);
    if (state == kAtGate) return Ok();
    if (state == kFailed) return ChildError(shared, names);
    if (traced) {
      int status = 0;
      const pid_t waited = waitpid(child.pid(), &status, WNOHANG | __WALL);
      if (waited == child.pid() && WIFSTOPPED(status)) {
        ptrace(PTRACE_CONT, child.pid(), nullptr, reinterpret_cast<void*>(static_cast<long>(WSTOPSIG(status))));
      } else if (waited == child.pid()) {
        child.Detach();
        if (shared->state.load() == kFailed) return ChildError(shared, names);
        return MakeError(ErrorCode::kOs, "the child died during setup");
      }
      usleep(50);
      continue;
    }
    pollfd pfd{child.pidfd(), POLLIN, 0};
    if (poll(&pfd, 1, 1) > 0 && shared->state.load(std::memory_order_acquire) < kAtGate) {
      if (shared->state.load() == kFailed) return ChildError(shared, names);
      return MakeError(ErrorCode::kOs, "the child died while installing the filter");
    }
  }
}

// Takes the child's listener into this process.
Result<void> TakeListener(SpawnedChild& child, const Shared* shared, UniqueFd& listener) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_getfd, child.pidfd(), shared->listener_fd, 0));
  if (fd < 0) {
    const int err = errno;
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     fmt::format("step 'listener hand-over' failed: pidfd_getfd: {}", std::strerror(err)));
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  listener.reset(fd);
  return Ok();
}

// Reads the 'F' byte a child writes before its filter (EOF: it died or failed first).
Result<void> AwaitFilterNext(int status_fd, const Shared* shared, const std::vector<std::string>& names) {
  char byte = 0;
  ssize_t n;
  do {
    n = read(status_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1) return Ok();
  if (shared->state.load() == kFailed) return ChildError(shared, names);
  return MakeError(ErrorCode::kOs, "the child died during setup");
}

}  // namespace

Result<SpawnedChild> Spawn(const SpawnSpec& spec) {
  uint64_t clone_flags = 0;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    const SpawnStep& step = spec.steps[i];
    if (step.kind == SpawnStepKind::kNamespaces) {
      if (i != 0) return MakeError(ErrorCode::kInternal, "the namespaces step must be the first");
      if (HasStep(spec, SpawnStepKind::kTraceMe)) {
        return MakeError(ErrorCode::kInternal, "the namespaces step cannot be combined with tracing");
      }
      clone_flags = step.namespaces;
    }
    if (step.kind != SpawnStepKind::kSeccomp) continue;
    if (i + 1 != spec.steps.size()) return MakeError(ErrorCode::kInternal, "the seccomp step must be the last");
    if (step.filter.empty() || step.filter.size() > bpf::kMaxInstructions) {
      return MakeError(ErrorCode::kInvalidInput, fmt::format("filter has {} instructions", step.filter.size()));
    }
  }
  SpawnedChild child;
  child.shared_ = MapShared();
  if (!child.shared_) return MakeError(ErrorCode::kOs, fmt::format("cannot map shared memory: {}", std::strerror(errno)));
  for (const SpawnStep& step : spec.steps) child.step_names_.emplace_back(StepName(step));
  int status_pipe[2];
  int go_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  if (pipe2(go_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    return MakeError(ErrorCode::kOs, fmt::format("cannot create a pipe: {}", std::strerror(err)));
  }
  // argv for execve, built before fork: the child allocates nothing once the filter is in.
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  // New namespaces come with the process (clone), so the program is PID 1 of a new PID namespace
  // and an unprivileged caller gets the others from the user namespace created first. The raw
  // clone runs no fork handlers: callers spawn while single-threaded (run does).
  const pid_t pid = clone_flags != 0
                        ? static_cast<pid_t>(syscall(SYS_clone, clone_flags | SIGCHLD, nullptr, nullptr, nullptr, 0))
                        : fork();
  if (pid < 0) {
    const int err = errno;
    for (int fd : {status_pipe[0], status_pipe[1], go_pipe[0], go_pipe[1]}) close(fd);
    if (clone_flags != 0) {
      const Error cause = NamespaceError(clone_flags, err);
      return MakeError(cause.code, fmt::format("step '{}' failed: {}", StepName(spec.steps.front()), cause.message));
    }
    return MakeError(ErrorCode::kOs, fmt::format("cannot fork: {}", std::strerror(err)));
  }
  if (pid == 0) {
    close(status_pipe[0]);
    close(go_pipe[1]);
    ChildMain(spec, child.shared_.get(), status_pipe[1], go_pipe[0], argv.data());
  }
  close(status_pipe[1]);
  close(go_pipe[0]);
  child.go_.reset(go_pipe[1]);
  child.pid_ = pid;
  child.status_.reset(status_pipe[0]);
  child.pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd_.valid()) {
    return MakeError(ErrorCode::kUnsupported, fmt::format("pidfd_open: {}", std::strerror(errno)));
  }
  const Shared* shared = child.shared_.get();
  const bool traced = HasStep(spec, SpawnStepKind::kTraceMe);
  if (traced) {
    if (Result<void> stopped = HandleTraceStop(spec, child, shared, child.step_names_); !stopped.ok()) {
      return stopped.error();
    }
  }
  const bool has_filter = HasStep(spec, SpawnStepKind::kSeccomp);
  if (has_filter) {
    if (Result<void> next = AwaitFilterNext(child.status_.get(), shared, child.step_names_); !next.ok()) {
      return next.error();
    }
  }
  if (Result<void> gate = AwaitGate(child, shared, traced, child.step_names_); !gate.ok()) return gate.error();
  child.note_ = shared->note;
  if (has_filter && spec.steps.back().new_listener) {
    if (Result<void> taken = TakeListener(child, shared, child.listener_); !taken.ok()) return taken.error();
  }
  return child;
}

Result<pid_t> SpawnHelperCommand(const std::string& command, int stdin_fd, const std::vector<std::string>& env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The command must not inherit the caller's blocked signals or ignored SIGPIPE.
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<std::string> env_storage = env;
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", dash_c = "-c", text = command;
  char* argv[] = {shell.data(), dash_c.data(), text.data(), nullptr};
  pid_t pid = -1;
  const int error = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return MakeError(ErrorCode::kOs, fmt::format("cannot start /bin/sh: {}", std::strerror(error)));
  return pid;
}

Result<std::string> ResolveProgram(const std::string& program) {
  if (program.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given");
  auto check = [](const std::string& path) -> Result<std::string> {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return MakeError(ErrorCode::kNotFound, "program '" + path + "' does not exist");
    if (S_ISDIR(st.st_mode)) return MakeError(ErrorCode::kInvalidInput, "program '" + path + "' is a folder");
    if (access(path.c_str(), X_OK) != 0) {
      return MakeError(ErrorCode::kInvalidInput, "program '" + path + "' is not executable");
    }
    return path;
  };
  if (program.find('/') != std::string::npos) return check(program);
  const char* env = std::getenv("PATH");
  const std::string search = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  std::optional<Error> unusable;
  size_t start = 0;
  while (start <= search.size()) {
    const size_t end = std::min(search.find(':', start), search.size());
    std::string dir = search.substr(start, end - start);
    if (dir.empty()) dir = ".";
    Result<std::string> found = check(dir + "/" + program);
    if (found.ok()) return found;
    if (found.error().code != ErrorCode::kNotFound && !unusable) unusable = found.error();
    start = end + 1;
  }
  if (unusable) return *unusable;
  return MakeError(ErrorCode::kNotFound, "program '" + program + "' not found in PATH");
}

bool IgnoredAtStart(int signal) { return signal > 0 && signal < NSIG && kStartDispositions.ignored[signal]; }

}  // namespace sysfence::os
