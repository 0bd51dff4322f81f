// SPDX-License-Identifier: Apache-2.0
#include "run/supervisor.h"

#include "run/privileges.h"

#include <poll.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/arch.h"
#include "run/landlock_call_access.h"
#include "run/observed_call.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {

Supervisor::Supervisor(int listener_fd, SupervisorOptions options)
    : options_(std::move(options)),
      listener_(os::UniqueFd(listener_fd)),
      decider_(*options_.policy, options_.mode),
      json_sink_(options_.json != nullptr ? std::make_unique<JsonLinesSink>(options_.json) : nullptr),
      alert_sink_(options_.alerts != nullptr ? std::make_unique<AlertSink>(options_.alerts) : nullptr),
      reporter_(ReportLimits{options_.mode, options_.max_events_per_shape, options_.max_event_bytes}, Sinks(),
                options_.human, &stats_) {
  if (options_.denials != nullptr) {
    options_.denials->OnLandlock([this](const LandlockAuditDenial& denial) { HandleLandlockDenial(denial); });
  }
}

Supervisor::~Supervisor() { reporter_.Flush(); }

std::vector<EventSink*> Supervisor::Sinks() {
  std::vector<EventSink*> sinks;
  if (json_sink_) sinks.push_back(json_sink_.get());
  if (alert_sink_) sinks.push_back(alert_sink_.get());
  sinks.insert(sinks.end(), options_.sinks.begin(), options_.sinks.end());
  return sinks;
}

// The event of a notified call: who, what, which rule, the decoded arguments (confirmed with
// NOTIF_ID_VALID after reading the target) and a suggestion.
bool Supervisor::DescribeNotified(Event& event, const os::Notification& notification, const CallDecision& call,
                                  int64_t now_ns) {
  const SeccompData& data = notification.data;
  const TaskInfo& task = tasks_.Get(notification.tid, now_ns);
  event.time_ns = now_ns;
  event.mode = options_.mode;
  event.pid = task.tgid;
  event.tid = notification.tid;
  event.comm = task.comm;
  event.exe = task.exe;
  event.arch = call.arch ? std::string(ArchName(*call.arch)) : fmt::format("{:#x}", data.arch);
  event.syscall = std::string(call.name);
  event.nr = data.nr;
  event.action = call.decision.action;
  event.rule = RuleLocation(*options_.policy, call.decision);
  const uint64_t(&args)[6] = *reinterpret_cast<const uint64_t(*)[6]>(data.args);
  event.args = DecodeArgs(call.arch.value_or(Arch::kX86_64), call.name, args,
                          DecodeContext{notification.tid, options_.read_target_memory, true});
  // Bytes read from the target mean nothing unless the call is still the one we were told of.
  const bool valid = listener_.IdValid(notification.id);
  if (!valid) {
    ++stats_.invalid_reads;
    for (DecodedArg& arg : event.args) {
      if (arg.kind == DecodedArg::Kind::kPath || arg.kind == DecodedArg::Kind::kFd) {
        arg.kind = arg.kind == DecodedArg::Kind::kPath ? DecodedArg::Kind::kPointer : DecodedArg::Kind::kNumber;
        arg.text.clear();
      }
    }
  }
  if (call.decision.by == policy::DecidedBy::kBadArch) {
    event.suggestion = fmt::format("# add {} to the policy's arch line", event.arch);
  } else {
    event.suggestion = SuggestLine(call.arch.value_or(NativeArch()), call.name, event.args);
  }
  if (options_.mode == RunMode::kMonitor && call.arch) {
    event.privileges = CapabilityBreak(*options_.policy, *call.arch, call.name, args).value_or("");
  }
  return valid;
}

// A call of a shape already reported can still be the one the `caps keep` line breaks (ping's
// raw socket after its datagram one): each distinct break is reported once, on its own line when
// the call's event line does not carry it.
void Supervisor::NotePrivilegeBreak(const os::Notification& notification) {
  const bool on_event_line = current_.detailed && current_.count == 1;
  std::string text = current_.event.privileges;
  if (!current_.detailed) {
    const uint64_t(&args)[6] = *reinterpret_cast<const uint64_t(*)[6]>(notification.data.args);
    text = CapabilityBreak(*options_.policy, *current_.call.arch, current_.call.name, args).value_or("");
  }
  if (text.empty() || !privilege_breaks_.insert(text).second || on_event_line || options_.human == nullptr) return;
  options_.human->Append(TerminalSafe(fmt::format("sysfence: {} {}", current_.call.name, text)) + "\n");
}

os::NotifyAnswer Supervisor::Decide(const os::Notification& notification) {
  ++stats_.notifications;
  const int64_t now_ns = RealtimeNs();
  if (options_.after_receive) options_.after_receive(notification.id, notification.tid);
  current_.call = decider_.Decide(notification.data);
  JudgeLandlock(notification, now_ns);
  if (current_.observe_only) return {true, 0};
  current_.count = 0;
  if (notification.restart) {
    ++stats_.restarts;
  } else {
    current_.count = reporter_.Count(current_.call.shape);
  }
  // The hot path: a repeated shape that is neither written nor shown costs no decoding.
  current_.detailed = current_.count == 1 || reporter_.WantsJson(current_.count);
  current_.event = Event{};
  current_.valid = current_.detailed ? DescribeNotified(current_.event, notification, current_.call, now_ns) : true;
  if (options_.mode == RunMode::kMonitor && options_.policy->caps && current_.call.arch) NotePrivilegeBreak(notification);
  // Only calls the policy permits (log) or monitor mode's calls are continued; in enforce mode the
  // filter never notifies a denial, and should it ever, the answer denies.
  if (current_.call.response.kind == ResponseKind::kContinue) return {true, 0};
  return {false, current_.call.response.error};
}

void Supervisor::JudgeLandlock(const os::Notification& notification, int64_t now_ns) {
  current_.landlock.clear();
  current_.observe_only = false;
  if (options_.landlock == nullptr || options_.mode != RunMode::kMonitor) return;
  const ActionKind kind = current_.call.decision.action.kind;
  // Notified only because monitor mode observes the fs/net rules: the policy allows the call.
  current_.observe_only = kind == ActionKind::kAllow;
  const uint64_t(&args)[6] = *reinterpret_cast<const uint64_t(*)[6]>(notification.data.args);
  const int tgid = tasks_.Get(notification.tid, now_ns).tgid;
  current_.landlock = LandlockMissesOfCall(*options_.landlock, current_.call.name, args, notification.tid, tgid);
  // What was read means nothing unless the call is still the one we were told of.
  if (!current_.landlock.empty() && !listener_.IdValid(notification.id)) {
    ++stats_.invalid_reads;
    current_.landlock.clear();
  }
}

void Supervisor::ReportLandlockMisses(const os::Notification& notification, bool delivered) {
  if (current_.landlock.empty()) return;
  const int64_t now_ns = RealtimeNs();
  const TaskInfo& task = tasks_.Get(notification.tid, now_ns);
  for (const LandlockMiss& miss : current_.landlock) {
    std::string suggestion = LandlockSuggestion(miss);
    const uint64_t count = reporter_.CountLandlock(suggestion);
    if (count != 1 && !reporter_.WantsJson(count)) {  // the hot path: counted, nothing built
      reporter_.NoteAggregated();
      continue;
    }
    Event event;
    event.kind = EventKind::kLandlock;
    event.time_ns = now_ns;
    event.mode = RunMode::kMonitor;
    event.pid = task.tgid;
    event.tid = notification.tid;
    event.comm = task.comm;
    event.exe = task.exe;
    event.arch = current_.call.arch ? std::string(ArchName(*current_.call.arch))
                                    : fmt::format("{:#x}", notification.data.arch);
    event.syscall = std::string(current_.call.name);
    event.nr = notification.data.nr;
    event.outcome = delivered ? Outcome::kContinued : Outcome::kAborted;
    event.suggestion = std::move(suggestion);
    event.landlock.blockers = LandlockBlockers(miss);
    event.landlock.path = miss.path;
    event.landlock.port = miss.port;
    reporter_.ReportLandlock(std::move(event), count);
  }
}

void Supervisor::Answered(const os::Notification& notification, const os::NotifyAnswer& answer, bool delivered) {
  ReportLandlockMisses(notification, delivered);
  // After an execve the thread has another name and executable: read them again next time.
  if (current_.call.name == "execve" || current_.call.name == "execveat") tasks_.Forget(notification.tid);
  if (current_.observe_only) return;
  const policy::Decision& decision = current_.call.decision;
  Event& event = current_.event;
  if (answer.continue_call) {
    event.outcome = options_.mode == RunMode::kMonitor && !decision.action.Permits() ? Outcome::kContinued
                                                                                     : Outcome::kAllowed;
  } else {
    event.outcome = Outcome::kDenied;
  }
  if (!delivered) {
    // Interrupted by a signal: the call may be restarted and notified again.
    event.outcome = Outcome::kAborted;
    ++stats_.aborted;
  }
  if (!current_.valid) event.outcome = Outcome::kAborted;
  if (current_.detailed) {
    reporter_.Report(event, current_.call.shape, current_.count, !decision.action.Permits());
  } else if (!notification.restart) {
    reporter_.NoteAggregated();
  }
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

namespace {

Outcome DenialOutcome(ActionKind returned) {
  switch (returned) {
    case ActionKind::kKillProcess: return Outcome::kKilled;
    case ActionKind::kKillThread: return Outcome::kThreadKilled;
    case ActionKind::kTrap: return Outcome::kTrapped;
    default: return Outcome::kDenied;
  }
}

}  // namespace

void Supervisor::HandleDenial(const SeccompAuditRecord& record) {
  const uint32_t nr = static_cast<uint32_t>(record.syscall);
  const Action returned = Action::FromSeccompRet(record.code);
  const DenialAttribution& attribution = AttributionFor(record.arch, nr, returned.kind);
  if (returned.kind == ActionKind::kErrno && attribution.enosys_fallback) {
    // The policy answers ENOSYS so that the C library falls back (clone3 -> clone): by design, not
    // a violation. Counted for the summary; the older call it falls back to is judged on its own.
    const std::optional<Arch> arch = ArchOfSyscall(record.arch, nr);  // known: the syscall has a name
    ++fallbacks_[arch ? std::string(syscalls::NameOf(*arch, nr).value_or("")) : std::string()];
    return;
  }
  ++stats_.denials;
  if (returned.kind == ActionKind::kKillProcess) {
    ++stats_.kills;
    killed_.insert(record.pid);
  }
  const int decided_by = attribution.by == policy::DecidedBy::kBadArch   ? -2
                         : attribution.by == policy::DecidedBy::kUnknown ? -3
                         : attribution.by == policy::DecidedBy::kDefault ? -1
                                                                         : 0;
  const CallShape shape{record.arch, static_cast<int32_t>(nr), 0, decided_by};
  const uint64_t count = reporter_.Count(shape);
  if (count != 1 && !reporter_.WantsJson(count)) {  // the storm's hot path: counted, nothing built
    reporter_.NoteAggregated();
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
  event.outcome = DenialOutcome(returned.kind);
  if (attribution.by == policy::DecidedBy::kBadArch) {
    event.suggestion = fmt::format("# add {} to the policy's arch line", event.arch);
  } else if (!name.empty()) {
    event.suggestion = SuggestLine(arch.value_or(NativeArch()), name, {});
  }
  reporter_.Report(event, shape, count, true);
}

void Supervisor::HandleLandlockDenial(const LandlockAuditDenial& denial) {
  const LandlockMiss miss = LandlockMissFromBlockers(denial.access.blockers, denial.access.path, denial.access.port);
  std::string suggestion = LandlockSuggestion(miss);
  // No line allows a scope or ptrace blocker: those are run's own walls (docs/run.md, threat model),
  // summarized as a note.
  std::string key = suggestion;
  if (key.empty()) {
    key = fmt::format("# {} denied by the walls between the program and sysfence (docs/run.md)",
                      fmt::join(denial.access.blockers, ","));
  }
  const uint64_t count = reporter_.CountLandlock(key);
  if (count != 1 && !reporter_.WantsJson(count)) {
    reporter_.NoteAggregated();
    return;
  }
  Event event;
  event.kind = EventKind::kLandlock;
  event.source = EventSource::kAudit;
  event.time_ns = RealtimeNs();
  event.mode = RunMode::kEnforce;
  event.pid = denial.pid;
  event.comm = denial.comm;
  event.exe = denial.exe;
  if (denial.syscall >= 0) {
    const uint32_t nr = static_cast<uint32_t>(denial.syscall);
    const std::optional<Arch> arch = ArchOfSyscall(denial.arch, nr);
    event.arch = arch ? std::string(ArchName(*arch)) : fmt::format("{:#x}", denial.arch);
    event.syscall = arch ? std::string(syscalls::NameOf(*arch, nr).value_or("")) : "";
    event.nr = denial.syscall;
  }
  event.outcome = Outcome::kDenied;
  event.suggestion = std::move(suggestion);
  event.landlock.blockers = denial.access.blockers;
  event.landlock.path = denial.access.path;
  event.landlock.port = denial.access.port;
  event.landlock.domain = denial.access.domain;
  reporter_.ReportLandlock(std::move(event), count);
}

Result<void> Supervisor::DrainDenials() {
  if (options_.denials == nullptr) return Ok();
  return options_.denials->Drain([this](const SeccompAuditRecord& record) { HandleDenial(record); });
}

Result<void> Supervisor::Run(int stop_fd) {
  using Next = os::WatchedFd::Next;
  std::vector<os::WatchedFd> watched;
  // The program ended: stop even if orphaned descendants keep calling (they get ENOSYS).
  watched.push_back({stop_fd, [](short revents) -> Result<Next> {
                       return (revents & POLLIN) != 0 ? Next::kStop : Next::kContinue;
                     }});
  auto drain = [this](short) -> Result<Next> {
    if (Result<void> drained = DrainDenials(); !drained.ok()) return drained.error();
    return Next::kContinue;
  };
  watched.push_back({options_.denials != nullptr ? options_.denials->audit_fd() : -1, drain});
  watched.push_back({options_.denials != nullptr ? options_.denials->fork_fd() : -1, drain});
  os::LoopHooks hooks;
  // Busy: look without blocking, and write buffered events out whenever there is a lull.
  hooks.has_pending = [this] { return reporter_.pending(); };
  hooks.on_idle = [this] { reporter_.Flush(); };
  // No task uses the filter any more: notifications are over (denial records may still come).
  hooks.on_hangup = [this] { return options_.denials != nullptr; };
  Result<void> served = listener_.Run(*this, std::move(watched), hooks);
  if (served.ok() && options_.denials != nullptr) {
    // The kernel queues audit records asynchronously: read the ones still in flight.
    served = options_.denials->DrainAll([this](const SeccompAuditRecord& record) { HandleDenial(record); });
  }
  reporter_.Flush();
  return served;
}

RunSummary Supervisor::Summary(int exit_status) const {
  RunSummary summary;
  summary.time_ns = RealtimeNs();
  summary.mode = options_.mode;
  summary.exit_status = exit_status;
  summary.sync_wake_up = listener_.sync_wake_up();
  summary.denials_observed = options_.denials != nullptr;
  summary.records_lost = options_.denials != nullptr ? options_.denials->lost() : 0;
  summary.audit_disabled = options_.denials != nullptr ? options_.denials->audit_disabled() : 0;
  summary.audit_drain_timed_out = options_.denials != nullptr && options_.denials->drain_timeouts() > 0;
  reporter_.Summarize(summary, *options_.policy);
  summary.fallbacks.assign(fallbacks_.begin(), fallbacks_.end());
  std::stable_sort(summary.fallbacks.begin(), summary.fallbacks.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return summary;
}

}  // namespace sysfence::run
