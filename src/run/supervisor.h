// SPDX-License-Identifier: Apache-2.0
// The supervisor observes and reports; it never decides a denial. It has two sources:
//  - user notifications (monitor mode: every call the policy would deny; enforce mode: `log`
//    rules), which it answers with CONTINUE after naming the rule;
//  - in enforce mode, the kernel's audit records of the filter's own denials (DenialObserver).
// It is three parts: the protocol (os/notify.h: receive, respond, restart detection), the
// decision (run/decision.h: the IR names the deciding rule) and the report (run/report.h: event
// building, counting, sinks). This class wires them to one listener and one observer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/arch.h"
#include "core/result.h"
#include "os/notify.h"
#include "policy/policy.h"
#include "run/alerts.h"
#include "run/decision.h"
#include "run/denial_observer.h"
#include "run/event.h"
#include "run/event_sink.h"
#include "run/landlock_judge.h"
#include "run/report.h"
#include "run/rule_attribution.h"
#include "run/supervised_policy.h"
#include "run/target_info.h"

namespace sysfence::run {

/// What the supervisor works with. Pointers are borrowed and must outlive the supervisor.
struct SupervisorOptions {
  const policy::Policy* policy = nullptr;  ///< the original policy (not the supervised variant)
  RunMode mode = RunMode::kEnforce;
  BufferedWriter* json = nullptr;          ///< JSON Lines events (null: none)
  BufferedWriter* human = nullptr;         ///< one-line summaries, first of each call shape (null: none)
  AlertDispatcher* alerts = nullptr;       ///< alert commands (null: none)
  DenialObserver* denials = nullptr;       ///< enforce: the kernel's denials of the program (null: none)
  /// Monitor mode: the fs/net rules, observed instead of enforced (null: not observed). Observed
  /// calls the policy allows are continued and only their Landlock misses are reported.
  const LandlockJudge* landlock = nullptr;
  /// More sinks (a metrics endpoint), after the JSON file and the alerts.
  std::vector<EventSink*> sinks;
  /// JSON events written per call shape; later calls of the shape are counted in the summary only.
  uint64_t max_events_per_shape = 100;
  /// Bytes of JSON events written at most; past it, calls are counted in the summary only.
  uint64_t max_event_bytes = uint64_t{1} << 30;
  bool read_target_memory = true;          ///< decode path arguments from the target's memory
  /// Fault injection for tests: runs right after a notification is received (before the target's
  /// memory is read and before the answer), with the notification id and the calling thread.
  std::function<void(uint64_t id, int tid)> after_receive;
};

/// Supervises one listener fd and/or one DenialObserver.
class Supervisor : private os::NotifyHandler {
 public:
  /// Takes ownership of `listener_fd` (-1: no notifications, only audit records).
  Supervisor(int listener_fd, SupervisorOptions options);
  ~Supervisor() override;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Asks the kernel to wake the target synchronously on the supervisor's CPU (Linux 6.6+).
  /// Returns whether the kernel accepted.
  bool EnableSyncWakeUp() { return listener_.EnableSyncWakeUp(); }

  /// Handles notifications and denial records until `stop_fd` (an eventfd or pipe) becomes
  /// readable (then reads the denial records still in flight) or no task uses the filter any more.
  /// Fails only when the listener or the audit stream itself fails.
  Result<void> Run(int stop_fd);

  /// Receives one notification (blocking), answers it and records the event. Returns false when
  /// there was nothing to handle (the target went away first, or a signal interrupted the wait).
  Result<bool> HandleOne() { return listener_.HandleOne(*this); }

  /// The summary of everything reported so far.
  RunSummary Summary(int exit_status) const;

  /// Reports one denial the kernel logged (DenialObserver feeds Run() through this).
  void HandleDenial(const SeccompAuditRecord& record);

  /// Reports one Landlock denial the kernel logged (enforce mode, DenialObserver).
  void HandleLandlockDenial(const LandlockAuditDenial& denial);

  /// True when the kernel killed process `pid` for a `kill` rule (seen in its audit record).
  bool KilledForPolicy(int pid) const { return killed_.count(pid) != 0; }

  /// Counters so far.
  const SupervisorStats& stats() const { return stats_; }
  /// Whether FD_SYNC_WAKE_UP is in effect.
  bool sync_wake_up() const { return listener_.sync_wake_up(); }
  /// The listener fd (owned).
  int listener_fd() const { return listener_.fd(); }

 private:
  // The call between Decide() and Answered().
  struct InFlight {
    CallDecision call;
    Event event;
    uint64_t count = 0;
    bool detailed = false;
    bool valid = true;
    std::vector<LandlockMiss> landlock;  ///< what the fs/net rules would deny (monitor mode)
    bool observe_only = false;           ///< notified for the fs/net rules only: the policy allows it
  };

  os::NotifyAnswer Decide(const os::Notification& notification) override;
  void Answered(const os::Notification& notification, const os::NotifyAnswer& answer, bool delivered) override;
  /// Fills the event of a notified call; returns whether the call was still pending after the
  /// target was read.
  bool DescribeNotified(Event& event, const os::Notification& notification, const CallDecision& call, int64_t now_ns);
  /// Monitor mode: reports, once per distinct text, that the `caps keep` line would break this call.
  void NotePrivilegeBreak(const os::Notification& notification);
  std::vector<EventSink*> Sinks();
  /// Judges an observed call against the fs/net rules (monitor mode) into current_.landlock.
  void JudgeLandlock(const os::Notification& notification, int64_t now_ns);
  /// Reports current_.landlock as Landlock events.
  void ReportLandlockMisses(const os::Notification& notification, bool delivered);
  Result<void> DrainDenials();
  /// What a denial of `returned` for (ABI, nr) is attributed to, computed once per key.
  const DenialAttribution& AttributionFor(uint32_t audit_arch, uint32_t nr, ActionKind returned);

  SupervisorOptions options_;
  os::NotifyListener listener_;
  CallDecider decider_;
  SupervisorStats stats_;
  std::unique_ptr<JsonLinesSink> json_sink_;
  std::unique_ptr<AlertSink> alert_sink_;
  Reporter reporter_;
  TaskInfoCache tasks_;
  InFlight current_;
  std::set<int> killed_;
  /// Monitor mode: what the `caps keep` line would break, each text reported once.
  std::set<std::string> privilege_breaks_;
  std::map<std::tuple<uint32_t, uint32_t, ActionKind>, DenialAttribution> attributions_;
  /// Designed ENOSYS fallbacks (clone3 answered ENOSYS, ...) per syscall: counted, never events.
  std::map<std::string, uint64_t> fallbacks_;
};

}  // namespace sysfence::run
