// SPDX-License-Identifier: Apache-2.0
// The user-notification recorder. The launched child installs "notify every syscall" with a
// listener, publishes the listener's fd number in a shared page (a plain store: no syscall) and
// execs; its execve blocks as the first notification until this process has taken the listener
// with pidfd_getfd. From then on every syscall is received, recorded and continued
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Nothing needs to be let through unnotified: the child makes
// no syscall between installing the filter and execve. Return values are invisible here: the call
// runs after the answer.
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <vector>

#include "bpf/program.h"
#include "core/action.h"
#include "os/seccomp_install.h"
#include "os/seccomp_uapi.h"
#include "record/backends.h"
#include "os/exit_status.h"
#include "record/process_util.h"
#include "profile/profile_builder.h"
#include "syscalls/syscalls.h"


namespace sysfence::record {
namespace {

// Published by the child through a MAP_SHARED page.
struct Handshake {
  std::atomic<int> listener_fd{-1};
  std::atomic<int> failure{0};  // errno of the step that failed in the child (then it exits)
};

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

bool IsExec(std::string_view name) { return name == "execve" || name == "execveat"; }

}  // namespace

Result<RecordResult> RecordWithUnotify(const RecordOptions& options, const std::string& program) {
  if (options.pid != 0) {
    return MakeError(ErrorCode::kUnsupported,
                     "the unotify backend cannot attach to a running process (-p): use ptrace or ebpf");
  }
  void* page = mmap(nullptr, sizeof(Handshake), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return MakeError(ErrorCode::kOs, std::string("mmap: ") + std::strerror(errno));
  auto* handshake = new (page) Handshake();
  struct Unmap {
    void* page;
    ~Unmap() { munmap(page, sizeof(Handshake)); }
  } unmap{page};

  if (options.pin_cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    sched_setaffinity(0, sizeof(set), &set);
  }
  std::vector<char*> argv;
  for (const std::string& arg : options.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const bpf::Program notify_all = {bpf::Instruction{static_cast<uint16_t>(bpf::op::kRet | bpf::op::kK), 0, 0,
                                                    seccomp_ret::kUserNotif}};
  os::InstallOptions install;
  install.new_listener = true;
  const uint64_t start = MonotonicNs();
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) return MakeError(ErrorCode::kOs, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    auto listener = os::InstallFilter(notify_all, install);
    if (!listener.ok()) {
      handshake->failure.store(EPERM);
      _exit(126);
    }
    handshake->listener_fd.store(*listener, std::memory_order_release);
    execv(program.c_str(), argv.data());
    _exit(127);
  }

  // Wait for the listener fd number (or the child's failure).
  int remote_fd = -1;
  int status = 0;
  for (;;) {
    remote_fd = handshake->listener_fd.load(std::memory_order_acquire);
    if (remote_fd >= 0) break;
    if (waitpid(child, &status, WNOHANG) == child) {
      return MakeError(ErrorCode::kOs, "installing the notification filter failed in the child (status " +
                                           std::to_string(os::ShellExitStatus(status)) + ")");
    }
    timespec pause{0, 20000};
    nanosleep(&pause, nullptr);
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  if (pidfd < 0) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return MakeError(ErrorCode::kUnsupported, std::string("pidfd_open: ") + std::strerror(errno));
  }
  FdCloser close_pidfd(pidfd);
  const int listener = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0));
  if (listener < 0) {
    const int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kUnsupported,
                     std::string("pidfd_getfd (taking the child's listener): ") + std::strerror(err));
  }
  FdCloser close_listener(listener);
  // One wake-up handoff per notification instead of a scheduler round trip (Linux 6.6+).
  ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0);

  seccomp_notif_sizes sizes{};
  if (os::SeccompSyscall(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    sizes.seccomp_notif = sizeof(seccomp_notif);
    sizes.seccomp_notif_resp = sizeof(seccomp_notif_resp);
  }
  std::vector<char> request_buffer(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)));
  std::vector<char> response_buffer(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
  auto* request = reinterpret_cast<seccomp_notif*>(request_buffer.data());
  auto* response = reinterpret_cast<seccomp_notif_resp*>(response_buffer.data());

  profile::ProfileBuilder builder(NativeArch(), start);
  builder.SetErrorsKnown(false);
  builder.SetPathsKnown(options.paths);
  std::map<pid_t, pid_t> tgid_of;            // tid -> tgid
  std::map<pid_t, std::string> exe_of;       // tgid -> executable before a pending exec
  std::map<pid_t, bool> exec_pending;        // tgid -> an execve was let through
  exe_of[child] = ReadLink("/proc/" + std::to_string(child) + "/exe");
  bool forwarded = false;
  bool reaped = false;
  // The child stays a zombie (and keeps the filter alive) until reaped: watch its pidfd too.
  pollfd poll_fds[2] = {{listener, POLLIN, 0}, {pidfd, POLLIN, 0}};
  for (;;) {
    if (options.stop_signal != nullptr && options.stop_signal->load() != 0 && !forwarded && !reaped) {
      kill(child, options.stop_signal->load());
      forwarded = true;
    }
    poll_fds[0].revents = poll_fds[1].revents = 0;
    const int ready = poll(poll_fds, reaped ? 1 : 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kOs, std::string("poll: ") + std::strerror(errno));
    }
    if (!reaped && (poll_fds[1].revents & POLLIN) != 0) {
      while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      reaped = true;
    }
    if ((poll_fds[0].revents & POLLIN) == 0) {
      if (poll_fds[0].revents & (POLLHUP | POLLERR)) break;  // every filtered task is gone
      continue;
    }
    std::memset(request, 0, request_buffer.size());
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, request) != 0) {
      if (errno == EINTR || errno == ENOENT) continue;  // the caller went away meanwhile
      return MakeError(ErrorCode::kOs, std::string("SECCOMP_IOCTL_NOTIF_RECV: ") + std::strerror(errno));
    }
    const pid_t tid = static_cast<pid_t>(request->pid);
    auto [tgid_it, new_thread] = tgid_of.try_emplace(tid, 0);
    if (new_thread) {
      tgid_it->second = ThreadGroupOf(tid);
      if (tgid_it->second == tid && exe_of.count(tid) == 0) {
        builder.OnNewProcess(tid);
        exe_of[tid] = ReadLink("/proc/" + std::to_string(tid) + "/exe");
      }
    }
    pid_t tgid = tgid_it->second;
    if (exec_pending[tgid]) {
      // The first call after an execve: did the exec replace the image?
      exec_pending[tgid] = false;
      std::string exe = ReadLink("/proc/" + std::to_string(tgid) + "/exe");
      if (!exe.empty() && exe != exe_of[tgid]) {
        builder.OnExec(tgid, exe);
        exe_of[tgid] = exe;
      }
    }
    const auto arch = ArchOfSyscall(request->data.arch, static_cast<uint32_t>(request->data.nr));
    if (arch) {
      const auto nr = static_cast<uint32_t>(request->data.nr);
      builder.OnSyscall(tgid, *arch, nr, reinterpret_cast<const uint64_t*>(request->data.args), MonotonicNs());
      if (auto name = syscalls::NameOf(*arch, nr)) {
        if (IsExec(*name)) exec_pending[tgid] = true;
        if (options.paths) CapturePathAccess(builder, tid, *name, reinterpret_cast<const uint64_t*>(request->data.args));
      }
    }
    std::memset(response, 0, response_buffer.size());
    response->id = request->id;
    response->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, response) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kOs, std::string("SECCOMP_IOCTL_NOTIF_SEND: ") + std::strerror(errno));
    }
  }
  while (!reaped && waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  RecordResult result;
  result.profile = builder.Finish("unotify", MonotonicNs());
  result.exit_status = os::ShellExitStatus(status);
  return result;
}

}  // namespace sysfence::record
