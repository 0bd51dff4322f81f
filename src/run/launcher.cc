// SPDX-License-Identifier: Apache-2.0
#include "run/launcher.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "os/seccomp_uapi.h"

extern char** environ;

namespace sysfence::run {
namespace {

// Steps of the child, for the error message.
enum class Step : int { kNone, kSignals, kNoNewPrivs, kLandlock, kSeccomp, kExec, kHandOver };

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kNone: return "start";
    case Step::kSignals: return "signal setup";
    case Step::kNoNewPrivs: return "no_new_privs (prctl PR_SET_NO_NEW_PRIVS)";
    case Step::kLandlock: return "landlock";
    case Step::kSeccomp: return "seccomp filter (seccomp SECCOMP_SET_MODE_FILTER)";
    case Step::kExec: return "execve";
    case Step::kHandOver: return "listener hand-over";
  }
  return "start";
}

// States of the hand-over, written by one side and read by the other.
enum State : int { kStarting = 0, kInstalled = 1, kGo = 2, kExecuting = 3, kFailed = 4 };

// Memory shared between parent and child (MAP_SHARED, set up before fork).
struct Shared {
  std::atomic<int> state{kStarting};
  int listener_fd = -1;
  int failed_step = 0;
  int error = 0;
  char message[2048] = {};
  char note[4096] = {};
};
static_assert(std::atomic<int>::is_always_lock_free);

void CopyText(char* out, size_t size, std::string_view text) {
  const size_t n = std::min(size - 1, text.size());
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

[[noreturn]] void ChildFail(Shared* shared, Step step, int error, std::string_view message) {
  shared->failed_step = static_cast<int>(step);
  shared->error = error;
  CopyText(shared->message, sizeof(shared->message), message);
  shared->state.store(kFailed, std::memory_order_release);
  _exit(127);
}

// Runs in the forked child. Everything it needs after the filter is in place was prepared before.
[[noreturn]] void ChildMain(const LaunchSpec& spec, Shared* shared, int status_write_fd, char* const* argv) {
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, nullptr) != 0) ChildFail(shared, Step::kSignals, errno, std::strerror(errno));
  signal(SIGPIPE, SIG_DFL);  // the supervisor ignores SIGPIPE; the program must not inherit that
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ChildFail(shared, Step::kNoNewPrivs, errno, std::strerror(errno));
  if (spec.before_filter) {
    Result<std::string> note = spec.before_filter();
    if (!note.ok()) ChildFail(shared, Step::kLandlock, 0, note.error().message);
    CopyText(shared->note, sizeof(shared->note), note.value());
  }
  // Tell the parent the filter is next; from here on no syscall but seccomp() and execve().
  const char ready = 'F';
  if (write(status_write_fd, &ready, 1) != 1) ChildFail(shared, Step::kHandOver, errno, std::strerror(errno));

  sock_fprog program{static_cast<unsigned short>(spec.filter.size()),
                     reinterpret_cast<sock_filter*>(const_cast<bpf::Instruction*>(spec.filter.data()))};
  const unsigned long flags = (spec.want_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0) |
                              (spec.log_denials ? SECCOMP_FILTER_FLAG_LOG : 0);
  const long fd = os::SeccompSyscall(SECCOMP_SET_MODE_FILTER, static_cast<unsigned>(flags), &program);
  if (fd < 0) {
    // The filter is not installed, so reporting costs nothing.
    const int err = errno;
    ChildFail(shared, Step::kSeccomp, err, std::strerror(err));
  }
  shared->listener_fd = spec.want_listener ? static_cast<int>(fd) : -1;
  shared->state.store(kInstalled, std::memory_order_release);
  // Wait for the parent to hold the listener. Reading the clock goes through the vDSO; a long
  // wait means the parent is gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (unsigned spins = 0; shared->state.load(std::memory_order_acquire) != kGo; ++spins) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if ((spins & 0xffff) == 0 && std::chrono::steady_clock::now() > deadline) _exit(126);
  }
  shared->state.store(kExecuting, std::memory_order_release);
  execve(spec.path.c_str(), argv, environ);
  const int err = errno;
  shared->failed_step = static_cast<int>(Step::kExec);
  shared->error = err;
  shared->state.store(kFailed, std::memory_order_release);
  _exit(127);
}

void ReapChild(LaunchedChild& child) {
  if (child.pid > 0) {
    int status;
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (child.pidfd >= 0) close(child.pidfd);
  if (child.listener_fd >= 0) close(child.listener_fd);
  if (child.status_fd >= 0) close(child.status_fd);
  child = LaunchedChild{};
}

Error ChildError(const Shared* shared) {
  const Step step = static_cast<Step>(shared->failed_step);
  std::string reason = shared->message[0] != '\0' ? shared->message : std::strerror(shared->error);
  ErrorCode code = ErrorCode::kOs;
  if (step == Step::kLandlock) code = ErrorCode::kUnsupported;
  if (shared->error == EPERM || shared->error == EACCES) code = ErrorCode::kPermission;
  if (step == Step::kExec && shared->error == EPERM) {
    reason += " (the policy must allow execve for the program to start)";
  }
  if (step == Step::kSeccomp && shared->error == EBUSY) {
    reason += " (the process already has a filter with a notification listener; run cannot stack a second one)";
  }
  return MakeError(code, fmt::format("cannot start the program: step '{}' failed: {}", StepName(step), reason));
}

// Shared state lives in its own mapping so the child can write after fork without a syscall.
struct SharedMapping {
  Shared* shared = nullptr;
  SharedMapping() {
    void* memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory != MAP_FAILED) shared = new (memory) Shared();
  }
  ~SharedMapping() {
    if (shared != nullptr) munmap(shared, sizeof(Shared));
  }
};

}  // namespace

Result<std::string> ResolveProgram(const std::string& program) {
  if (program.empty()) return MakeError(ErrorCode::kInvalidInput, "no program given");
  auto check = [](const std::string& path) -> int {
    struct stat st{};
    if (stat(path.c_str(), &st) != 0) return errno;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (access(path.c_str(), X_OK) != 0) return errno;
    return 0;
  };
  if (program.find('/') != std::string::npos) {
    const int err = check(program);
    if (err != 0) {
      return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidInput,
                       fmt::format("cannot run '{}': {}", program, std::strerror(err)));
    }
    return program;
  }
  const char* path_env = std::getenv("PATH");
  const std::string search = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= search.size()) {
    const size_t end = std::min(search.find(':', start), search.size());
    std::string dir = search.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (check(candidate) == 0) return candidate;
    start = end + 1;
  }
  return MakeError(ErrorCode::kNotFound, fmt::format("cannot find program '{}' in PATH", program));
}

Result<LaunchedChild> StartChild(const LaunchSpec& spec) {
  if (spec.filter.empty() || spec.filter.size() > bpf::kMaxInstructions) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("filter has {} instructions", spec.filter.size()));
  }
  auto mapping = std::make_shared<SharedMapping>();
  if (mapping->shared == nullptr) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot map shared memory: {}", std::strerror(errno)));
  }
  Shared* shared = mapping->shared;
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  // argv for execve, built before fork: the child allocates nothing once the filter is in.
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    return MakeError(ErrorCode::kOs, fmt::format("cannot fork: {}", std::strerror(err)));
  }
  if (pid == 0) {
    close(status_pipe[0]);
    ChildMain(spec, shared, status_pipe[1], argv.data());
  }
  close(status_pipe[1]);
  LaunchedChild child;
  child.pid = pid;
  child.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (child.pidfd < 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    close(status_pipe[0]);
    ReapChild(child);
    return MakeError(ErrorCode::kUnsupported, fmt::format("cannot start the program: pidfd_open: {}", std::strerror(err)));
  }
  // Wait for "about to install the filter" (or the child's death: EOF).
  char byte = 0;
  ssize_t n;
  do {
    n = read(status_pipe[0], &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) {
    close(status_pipe[0]);
    Error error = shared->state.load() == kFailed
                      ? ChildError(shared)
                      : MakeError(ErrorCode::kOs, "cannot start the program: the child died during setup");
    ReapChild(child);
    return error;
  }
  // The install takes microseconds; poll the pidfd so a dead child is noticed.
  for (;;) {
    const int state = shared->state.load(std::memory_order_acquire);
    if (state == kInstalled) break;
    if (state == kFailed) {
      close(status_pipe[0]);
      Error error = ChildError(shared);
      ReapChild(child);
      return error;
    }
    pollfd pfd{child.pidfd, POLLIN, 0};
    if (poll(&pfd, 1, 1) > 0 && shared->state.load(std::memory_order_acquire) < kInstalled) {
      close(status_pipe[0]);
      ReapChild(child);
      return MakeError(ErrorCode::kOs, "cannot start the program: the child died while installing the filter");
    }
  }
  child.note = shared->note;
  if (spec.want_listener) {
    child.listener_fd = static_cast<int>(syscall(SYS_pidfd_getfd, child.pidfd, shared->listener_fd, 0));
    if (child.listener_fd < 0) {
      const int err = errno;
      kill(pid, SIGKILL);
      close(status_pipe[0]);
      ReapChild(child);
      return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                       fmt::format("cannot start the program: step '{}' failed: pidfd_getfd: {}",
                                   StepName(Step::kHandOver), std::strerror(err)));
    }
    fcntl(child.listener_fd, F_SETFD, FD_CLOEXEC);
  }
  child.handover = std::move(mapping);
  child.status_fd = status_pipe[0];
  return child;
}

Result<void> ReleaseAndAwaitExec(LaunchedChild& child) {
  if (!child.handover || child.status_fd < 0) return MakeError(ErrorCode::kInternal, "no child is waiting to exec");
  Shared* shared = static_cast<SharedMapping*>(child.handover.get())->shared;
  shared->state.store(kGo, std::memory_order_release);
  // The status pipe's write end is close-on-exec: EOF means execve succeeded or the child died.
  char byte;
  ssize_t n;
  do {
    n = read(child.status_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  close(child.status_fd);
  child.status_fd = -1;
  Result<void> result = Ok();
  if (shared->state.load(std::memory_order_acquire) == kFailed) {
    result = ChildError(shared);
    ReapChild(child);
  }
  child.handover.reset();
  return result;
}

}  // namespace sysfence::run
