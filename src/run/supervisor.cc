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
#include "os/seccomp_uapi.h"
#include "run/rule_attribution.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {
namespace {

// Size of the kernel's notification structures (they may grow; the kernel tells us how big).
seccomp_notif_sizes NotifSizes() {
  seccomp_notif_sizes sizes{};
  if (os::SeccompSyscall(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
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

// The event of a notified call: who, what, which rule, the decoded arguments (confirmed with
// NOTIF_ID_VALID after reading the target) and a suggestion. Returns whether the call was still
// pending after the target was read.
bool Supervisor::DescribeNotified(Event& event, const SeccompData& data, std::optional<Arch> arch,
                                  std::string_view name, int tid, int64_t now_ns, const policy::Decision& decision,
                                  uint64_t id) {
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
  const uint64_t(&args)[6] = *reinterpret_cast<const uint64_t(*)[6]>(data.args);
  event.args = DecodeArgs(arch.value_or(Arch::kX86_64), name, args,
                          DecodeContext{tid, options_.read_target_memory, true});
  // Bytes read from the target mean nothing unless the call is still the one we were told of.
  const bool valid = ioctl(fd_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
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
  return valid;
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
  SeccompData data;
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
    shape.key_value = data.args[key_arg] & policy::WidthMask(syscalls::ArgWidthBits(*arch, name, key_arg));
  }

  uint64_t count = 0;
  if (is_restart) {
    ++stats_.restarts;
  } else {
    count = ledger_.Count(shape);
  }
  // The hot path: a repeated shape that is neither written nor shown costs no decoding.
  const bool detailed = count == 1 || WantsJson(count);

  Event event;
  const bool valid = detailed ? DescribeNotified(event, data, arch, name, tid, now_ns, decision, request->id) : true;

  // Answer the kernel. Only calls the policy permits (log) or monitor mode's calls are continued;
  // in enforce mode the filter never notifies a denial, and should it ever, the answer denies.
  auto* resp = reinterpret_cast<seccomp_notif_resp*>(response_.data());
  std::memset(response_.data(), 0, response_.size());
  resp->id = request->id;
  if (response.kind == ResponseKind::kContinue) {
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    event.outcome = options_.mode == RunMode::kMonitor && !decision.action.Permits() ? Outcome::kContinued
                                                                                     : Outcome::kAllowed;
  } else {
    resp->error = -response.error;
    event.outcome = Outcome::kDenied;
  }
  if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0) {
    if (errno != ENOENT) {
      return MakeError(ErrorCode::kOs, fmt::format("seccomp notification answer failed: {}", std::strerror(errno)));
    }
    // Interrupted by a signal: the call may be restarted and notified again.
    event.outcome = Outcome::kAborted;
    ++stats_.aborted;
    std::memcpy(aborted_by_tid_[tid].data(), &request->data, sizeof(data));
  }
  if (!valid) event.outcome = Outcome::kAborted;
  if (detailed) {
    Report(event, shape, count, !decision.action.Permits());
  } else if (!is_restart && HasJsonSinks()) {
    ++stats_.aggregated;
  }
  return true;
}

bool Supervisor::HasJsonSinks() const { return options_.json != nullptr || options_.alerts != nullptr; }

bool Supervisor::WantsJson(uint64_t count) const {
  // Monitor mode writes the first call of each shape; enforce mode every call up to the per-shape
  // limit. Past it calls are only counted: a program that retries a denied call in a loop must
  // not fill the disk.
  if (!HasJsonSinks() || count == 0) return false;
  return options_.mode == RunMode::kEnforce ? count <= options_.max_events_per_shape : count == 1;
}

void Supervisor::Report(Event& event, const CallShape& shape, uint64_t count, bool needs_allow) {
  event.count = count;
  if (count == 1) {
    if (shape.decided_by == -2) {
      ledger_.NoteMissingArch(event.arch);
    } else {
      ledger_.NoteFirst(event.syscall, event.args, needs_allow);
    }
  }
  if (WantsJson(count)) {
    if (event_bytes_ < options_.max_event_bytes) {
      std::string line;
      AppendEventJson(line, event);
      event_bytes_ += line.size();
      if (options_.json != nullptr) options_.json->Append(line);
      if (options_.alerts != nullptr) options_.alerts->Submit(std::move(line));
      ++stats_.events;
    } else {
      ++stats_.aggregated;
      stats_.capped = true;
    }
  } else if (count != 0 && HasJsonSinks()) {
    ++stats_.aggregated;
  }
  if (options_.human != nullptr && count == 1) options_.human->Append(EventHumanLine(event));
}

const DenialAttribution& Supervisor::AttributionFor(uint32_t audit_arch, uint32_t nr, ActionKind returned) {
  // A denial storm repeats one (ABI, syscall, action): attribute it once, not per record.
  const auto key = std::make_tuple(audit_arch, nr, returned);
  auto it = attributions_.find(key);
  if (it != attributions_.end()) return it->second;
  const std::optional<Arch> arch = ArchOfSyscall(audit_arch, nr);
  const bool listed = arch && std::find(options_.policy->arches.begin(), options_.policy->arches.end(), *arch) !=
                                  options_.policy->arches.end();
  const std::string_view name = arch ? syscalls::NameOf(*arch, nr).value_or(std::string_view()) : std::string_view();
  return attributions_
      .emplace(key, AttributeDenial(*options_.policy, listed, arch.value_or(Arch::kX86_64), name, returned))
      .first->second;
}

void Supervisor::HandleDenial(const SeccompAuditRecord& record) {
  ++stats_.denials;
  const uint32_t nr = static_cast<uint32_t>(record.syscall);
  const Action returned = Action::FromSeccompRet(record.code);
  if (returned.kind == ActionKind::kKillProcess) {
    ++stats_.kills;
    killed_.insert(record.pid);
  }
  const DenialAttribution& attribution = AttributionFor(record.arch, nr, returned.kind);
  const int decided_by = attribution.by == policy::DecidedBy::kBadArch ? -2
                         : attribution.by == policy::DecidedBy::kDefault ? -1
                                                                         : 0;
  const CallShape shape{record.arch, static_cast<int32_t>(nr), 0, decided_by};
  const uint64_t count = ledger_.Count(shape);
  if (count != 1 && !WantsJson(count)) {  // the storm's hot path: counted, nothing built
    if (HasJsonSinks()) ++stats_.aggregated;
    return;
  }

  const std::optional<Arch> arch = ArchOfSyscall(record.arch, nr);
  const std::string_view name = arch ? syscalls::NameOf(*arch, nr).value_or(std::string_view()) : std::string_view();
  Event event;
  event.source = EventSource::kAudit;
  event.time_ns = RealtimeNs();
  event.mode = RunMode::kEnforce;
  event.pid = record.pid;
  event.comm = record.comm;
  event.exe = record.exe;
  event.arch = arch ? std::string(ArchName(*arch)) : fmt::format("{:#x}", record.arch);
  event.syscall = std::string(name);
  event.nr = record.syscall;
  event.action = attribution.action;
  event.rule = attribution.rule;
  switch (returned.kind) {
    case ActionKind::kKillProcess: event.outcome = Outcome::kKilled; break;
    case ActionKind::kKillThread: event.outcome = Outcome::kThreadKilled; break;
    case ActionKind::kTrap: event.outcome = Outcome::kTrapped; break;
    default: event.outcome = Outcome::kDenied; break;
  }
  if (attribution.by == policy::DecidedBy::kBadArch) {
    event.suggestion = fmt::format("# add {} to the policy's arch line", event.arch);
  } else if (!name.empty()) {
    event.suggestion = SuggestRule(name, {});
  }
  Report(event, shape, count, true);
}

Result<void> Supervisor::DrainDenials() {
  if (options_.denials == nullptr) return Ok();
  return options_.denials->Drain([this](const SeccompAuditRecord& record) { HandleDenial(record); });
}

Result<void> Supervisor::Run(int stop_fd) {
  // Slots: the stop fd, the listener, the audit stream, the fork events; absent ones are -1
  // (poll ignores negative fds).
  pollfd fds[4] = {{stop_fd, POLLIN, 0},
                   {fd_, POLLIN, 0},
                   {options_.denials != nullptr ? options_.denials->audit_fd() : -1, POLLIN, 0},
                   {options_.denials != nullptr ? options_.denials->fork_fd() : -1, POLLIN, 0}};
  for (;;) {
    const bool pending = (options_.json != nullptr && options_.json->pending()) ||
                         (options_.human != nullptr && options_.human->pending());
    // Busy: look without blocking, and write buffered events out whenever there is a lull.
    const int ready = poll(fds, 4, pending ? 0 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kOs, fmt::format("poll on the seccomp listener failed: {}", std::strerror(errno)));
    }
    if (ready == 0) {
      Flush();
      continue;
    }
    // The program ended: stop even if orphaned descendants keep calling (they get ENOSYS).
    if ((fds[0].revents & POLLIN) != 0) break;
    if ((fds[2].revents | fds[3].revents) != 0) {
      if (Result<void> drained = DrainDenials(); !drained.ok()) {
        Flush();
        return drained;
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      auto handled = HandleOne();
      if (!handled.ok()) {
        Flush();
        return handled.error();
      }
      continue;
    }
    // No task uses the filter any more: notifications are over (denial records may still come).
    if ((fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
      if (options_.denials == nullptr) break;
      fds[1].fd = -1;
    }
  }
  // The kernel queues audit records asynchronously: read the ones still in flight.
  if (options_.denials != nullptr) {
    Result<void> drained =
        options_.denials->DrainAll([this](const SeccompAuditRecord& record) { HandleDenial(record); });
    if (!drained.ok()) {
      Flush();
      return drained;
    }
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
  summary.events_written = stats_.events;
  summary.events_aggregated = stats_.aggregated;
  summary.events_capped = stats_.capped;
  summary.denials_observed = options_.denials != nullptr;
  summary.records_lost = options_.denials != nullptr ? options_.denials->lost() : 0;
  summary.suggested_lines = ledger_.SuggestedLines();
  summary.counts = ledger_.CountsBySyscall();
  if (options_.alerts != nullptr) {
    summary.alerts_sent = options_.alerts->sent();
    summary.alerts_dropped = options_.alerts->dropped();
  }
  return summary;
}

}  // namespace sysfence::run
