// SPDX-License-Identifier: Apache-2.0
#include "run/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "bpf/program.h"
#include "core/arch.h"
#include "policy/evaluate.h"
#include "run/notify_abi.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {
namespace {

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL  // Linux 6.9: a pidfd for one thread
#endif

int64_t RealtimeNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// "file:line" of the rule that decided, "default" or "badarch".
std::string RuleLocation(const policy::Policy& policy, const policy::Decision& decision) {
  switch (decision.by) {
    case policy::DecidedBy::kDefault: return "default";
    case policy::DecidedBy::kBadArch: return "badarch";
    case policy::DecidedBy::kRule: break;
  }
  if (decision.rule_index < 0 || static_cast<size_t>(decision.rule_index) >= policy.rules.size()) return "default";
  const SourceSpan& span = policy.rules[decision.rule_index].span;
  if (span.file.empty()) return fmt::format("rule#{}", decision.rule_index + 1);
  if (span.line == 0) return span.json_path.empty() ? span.file : span.file + ": " + span.json_path;
  return fmt::format("{}:{}", span.file, span.line);
}

// Size of the kernel's notification structures (they may grow; the kernel tells us how big).
seccomp_notif_sizes NotifSizes() {
  seccomp_notif_sizes sizes{};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    sizes.seccomp_notif = sizeof(seccomp_notif);
    sizes.seccomp_notif_resp = sizeof(seccomp_notif_resp);
    sizes.seccomp_data = sizeof(seccomp_data);
  }
  return sizes;
}

}  // namespace

Supervisor::Supervisor(int listener_fd, SupervisorOptions options)
    : fd_(listener_fd), options_(std::move(options)), evaluator_(*options_.policy) {
  const seccomp_notif_sizes sizes = NotifSizes();
  request_.assign(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), 0);
  response_.assign(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)), 0);
}

Supervisor::~Supervisor() {
  Flush();
  if (fd_ >= 0) close(fd_);
}

bool Supervisor::EnableSyncWakeUp() {
  sync_wake_up_ = ioctl(fd_, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
  return sync_wake_up_;
}

void Supervisor::Flush() {
  if (options_.json != nullptr) options_.json->Flush();
  if (options_.human != nullptr) options_.human->Flush();
}

int Supervisor::KeyArgFor(uint32_t audit_arch, int32_t nr, std::string_view name) {
  const uint64_t key = (uint64_t{audit_arch} << 32) | static_cast<uint32_t>(nr);
  auto it = key_args_.find(key);
  if (it != key_args_.end()) return it->second;
  const int index = name.empty() ? -1 : KeyArgIndex(name);
  key_args_.emplace(key, index);
  return index;
}

bool Supervisor::KillTarget(int tid, uint64_t id) {
  if (tid <= 0) return false;  // not visible from our pid namespace: nothing we can signal
  // A pidfd pins the task: after the ID_VALID check below, the signal cannot reach a reused pid.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tid, PIDFD_THREAD));
  if (pidfd < 0) pidfd = static_cast<int>(syscall(SYS_pidfd_open, tid, 0));
  if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) {
    if (pidfd >= 0) close(pidfd);
    return false;
  }
  bool sent;
  if (pidfd >= 0) {
    sent = syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) == 0;
    close(pidfd);
  } else {
    sent = kill(tid, SIGKILL) == 0;  // SIGKILL to any thread ends its whole process
  }
  return sent;
}

Result<bool> Supervisor::HandleOne() {
  auto* request = reinterpret_cast<seccomp_notif*>(request_.data());
  std::memset(request_.data(), 0, request_.size());  // RECV insists on a zeroed buffer
  if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_RECV, request) != 0) {
    // ENOENT: the target was interrupted or died between poll and RECV.
    if (errno == EINTR || errno == ENOENT) return false;
    return MakeError(ErrorCode::kOs, fmt::format("seccomp notification receive failed: {}", std::strerror(errno)));
  }
  ++stats_.notifications;
  const int64_t now_ns = RealtimeNs();
  bpf::SeccompData data;
  static_assert(sizeof(data) == sizeof(request->data));
  std::memcpy(static_cast<void*>(&data), &request->data, sizeof(data));
  const int tid = static_cast<int>(request->pid);
  if (options_.after_receive) options_.after_receive(request->id, tid);

  // A call interrupted after we received it comes back, identical, once restarted.
  bool is_restart = false;
  if (!aborted_by_tid_.empty()) {
    if (auto aborted = aborted_by_tid_.find(tid); aborted != aborted_by_tid_.end()) {
      is_restart = std::memcmp(aborted->second.data(), &request->data, sizeof(data)) == 0;
      aborted_by_tid_.erase(aborted);
    }
  }

  const policy::Decision decision = evaluator_.Evaluate(data);
  const Response response = ResponseFor(decision.action, options_.mode);
  const std::optional<Arch> arch = ArchOfSyscall(data.arch, static_cast<uint32_t>(data.nr));
  const std::string_view name =
      arch ? syscalls::NameOf(*arch, static_cast<uint32_t>(data.nr)).value_or(std::string_view()) : std::string_view();

  const int key_arg = KeyArgFor(data.arch, data.nr, name);
  CallShape shape{data.arch, data.nr, 0,
                  decision.by == policy::DecidedBy::kRule      ? decision.rule_index
                  : decision.by == policy::DecidedBy::kDefault ? -1
                                                               : -2};
  if (key_arg >= 0 && arch) {
    const bool wide = syscalls::ArgWidthBits(*arch, name, key_arg) == 64;
    shape.key_value = wide ? data.args[key_arg] : (data.args[key_arg] & 0xffffffffu);
  }
  uint64_t count = 0;
  if (is_restart) {
    ++stats_.restarts;
  } else {
    count = ledger_.Count(shape);
  }
  const bool first = count == 1;
  const bool want_json =
      !is_restart && (options_.json != nullptr || options_.alerts != nullptr) &&
      (options_.mode == RunMode::kEnforce || first);
  const bool want_human = options_.human != nullptr && first;

  Event event;
  bool valid = true;
  if (want_json || want_human || first) {
    const TaskInfo& task = tasks_.Get(tid, now_ns);
    event.time_ns = now_ns;
    event.mode = options_.mode;
    event.pid = task.tgid;
    event.tid = tid;
    event.comm = task.comm;
    event.exe = task.exe;
    event.arch = arch ? std::string(ArchName(*arch)) : fmt::format("{:#x}", data.arch);
    event.syscall = std::string(name);
    event.nr = data.nr;
    event.action = decision.action;
    event.rule = RuleLocation(*options_.policy, decision);
    event.count = count;
    const uint64_t(&args)[6] = *reinterpret_cast<const uint64_t(*)[6]>(data.args);
    event.args = DecodeArgs(arch.value_or(Arch::kX86_64), name, args,
                            DecodeContext{tid, options_.read_target_memory, true});
    // Bytes read from the target mean nothing unless the call is still the one we were told of.
    valid = ioctl(fd_, SECCOMP_IOCTL_NOTIF_ID_VALID, &request->id) == 0;
    if (!valid) {
      ++stats_.invalid_reads;
      for (DecodedArg& arg : event.args) {
        if (arg.kind == DecodedArg::Kind::kPath || arg.kind == DecodedArg::Kind::kFd) {
          arg.kind = arg.kind == DecodedArg::Kind::kPath ? DecodedArg::Kind::kPointer : DecodedArg::Kind::kNumber;
          arg.text.clear();
        }
      }
    }
    if (decision.by == policy::DecidedBy::kBadArch) {
      event.suggestion = fmt::format("# add {} to the policy's arch line", event.arch);
    } else {
      event.suggestion = SuggestRule(name, event.args);
    }
  }

  // Answer the kernel.
  Outcome outcome = Outcome::kDenied;
  auto* resp = reinterpret_cast<seccomp_notif_resp*>(response_.data());
  std::memset(response_.data(), 0, response_.size());
  resp->id = request->id;
  switch (response.kind) {
    case ResponseKind::kContinue:
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      outcome = options_.mode == RunMode::kMonitor && !decision.action.Permits() ? Outcome::kContinued
                                                                                 : Outcome::kAllowed;
      break;
    case ResponseKind::kFail:
      resp->error = -response.error;
      outcome = Outcome::kDenied;
      break;
    case ResponseKind::kKillProcess: {
      // The thread is parked in the notification; killing its process now means the call never
      // runs. The answer below is a denial in case the kill could not be delivered.
      const int pid = event.pid != 0 ? event.pid : tasks_.Get(tid, now_ns).tgid;
      if (KillTarget(tid, request->id)) {
        outcome = Outcome::kKilled;
        ++stats_.kills;
        if (pid > 0) killed_.insert(pid);
      }
      resp->error = -EPERM;
      break;
    }
  }
  if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0) {
    if (errno != ENOENT) {
      return MakeError(ErrorCode::kOs, fmt::format("seccomp notification answer failed: {}", std::strerror(errno)));
    }
    if (outcome != Outcome::kKilled) {
      // Interrupted by a signal: the call may be restarted and notified again.
      outcome = Outcome::kAborted;
      ++stats_.aborted;
      std::memcpy(aborted_by_tid_[tid].data(), &request->data, sizeof(data));
    }
  } else if (response.kind == ResponseKind::kKillProcess && outcome != Outcome::kKilled) {
    outcome = Outcome::kDenied;  // could not kill (target not visible): the call was denied instead
  }
  if (!valid && outcome != Outcome::kKilled) outcome = Outcome::kAborted;
  event.outcome = outcome;

  if (first) {
    if (decision.by == policy::DecidedBy::kBadArch) {
      ledger_.NoteMissingArch(event.arch);
    } else {
      ledger_.NoteFirst(name, event.args, !decision.action.Permits());
    }
  }
  if (want_json) {
    if (options_.alerts != nullptr) {
      std::string line;
      AppendEventJson(line, event);
      if (options_.json != nullptr) options_.json->Append(line);
      options_.alerts->Submit(std::move(line));
    } else {
      AppendEventJson(options_.json->buffer(), event);
      options_.json->MaybeFlush();
    }
    ++stats_.events;
  }
  if (want_human) options_.human->Append(EventHumanLine(event));
  return true;
}

Result<void> Supervisor::Run(int stop_fd) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    const bool pending = (options_.json != nullptr && options_.json->pending()) ||
                         (options_.human != nullptr && options_.human->pending());
    // Busy: look without blocking, and write buffered events out whenever there is a lull.
    const int ready = poll(fds, stop_fd >= 0 ? 2 : 1, pending ? 0 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kOs, fmt::format("poll on the seccomp listener failed: {}", std::strerror(errno)));
    }
    if (ready == 0) {
      Flush();
      continue;
    }
    // The program ended: stop even if orphaned descendants keep calling (they get ENOSYS).
    if (stop_fd >= 0 && (fds[1].revents & POLLIN) != 0) break;
    if ((fds[0].revents & POLLIN) != 0) {
      auto handled = HandleOne();
      if (!handled.ok()) {
        Flush();
        return handled.error();
      }
      continue;
    }
    if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) break;  // no task uses the filter any more
  }
  Flush();
  return Ok();
}

RunSummary Supervisor::Summary(int exit_status) const {
  RunSummary summary;
  summary.time_ns = RealtimeNs();
  summary.mode = options_.mode;
  summary.exit_status = exit_status;
  summary.reported_calls = ledger_.total();
  summary.distinct_shapes = ledger_.distinct();
  summary.sync_wake_up = sync_wake_up_;
  summary.suggested_lines = ledger_.SuggestedLines();
  summary.counts = ledger_.CountsBySyscall();
  if (options_.alerts != nullptr) {
    summary.alerts_sent = options_.alerts->sent();
    summary.alerts_dropped = options_.alerts->dropped();
  }
  return summary;
}

}  // namespace sysfence::run
