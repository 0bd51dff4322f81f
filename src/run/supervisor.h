// SPDX-License-Identifier: Apache-2.0
// The supervisor observes and reports; it never decides a denial. It has two sources:
//  - user notifications (monitor mode: every call the policy would deny; enforce mode: `log`
//    rules), which it answers with CONTINUE after naming the rule (policy evaluation on the
//    notification's arguments);
//  - in enforce mode, the kernel's audit records of the filter's own denials (DenialObserver).
// Each becomes an event (JSON Lines, a terminal line for the first of each shape, alerts).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/arch.h"
#include "core/result.h"
#include "policy/compiled_evaluator.h"
#include "policy/policy.h"
#include "run/alerts.h"
#include "run/denial_observer.h"
#include "run/event.h"
#include "run/event_sink.h"
#include "run/ledger.h"
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
  /// JSON events written per call shape; later calls of the shape are counted in the summary only.
  uint64_t max_events_per_shape = 100;
  /// Bytes of JSON events written at most; past it, calls are counted in the summary only.
  uint64_t max_event_bytes = uint64_t{1} << 30;
  bool read_target_memory = true;          ///< decode path arguments from the target's memory
  /// Fault injection for tests: runs right after a notification is received (before the target's
  /// memory is read and before the answer), with the notification id and the calling thread.
  std::function<void(uint64_t id, int tid)> after_receive;
};

/// Counters about one supervision.
struct SupervisorStats {
  uint64_t notifications = 0;  ///< notifications received
  uint64_t events = 0;         ///< JSON events written
  uint64_t aborted = 0;        ///< calls whose target went away before the answer (SEND -> ENOENT)
  uint64_t restarts = 0;       ///< repeated notifications of an interrupted, restarted call
  uint64_t invalid_reads = 0;  ///< decodings discarded because NOTIF_ID_VALID failed after reading
  uint64_t denials = 0;        ///< kernel denials read from the audit stream
  uint64_t kills = 0;          ///< of those, processes the kernel killed for `kill` rules
  uint64_t aggregated = 0;     ///< calls counted but not written as JSON events
  bool capped = false;         ///< max_event_bytes was reached
};

/// Supervises one listener fd and/or one DenialObserver.
class Supervisor {
 public:
  /// Takes ownership of `listener_fd` (-1: no notifications, only audit records).
  Supervisor(int listener_fd, SupervisorOptions options);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Asks the kernel to wake the target synchronously on the supervisor's CPU (Linux 6.6+).
  /// Returns whether the kernel accepted.
  bool EnableSyncWakeUp();

  /// Handles notifications and denial records until `stop_fd` (an eventfd or pipe) becomes
  /// readable (then reads the denial records still in flight) or no task uses the filter any more.
  /// Fails only when the listener or the audit stream itself fails.
  Result<void> Run(int stop_fd);

  /// Receives one notification (blocking), answers it and records the event. Returns false when
  /// there was nothing to handle (the target went away first, or a signal interrupted the wait).
  Result<bool> HandleOne();

  /// The summary of everything reported so far.
  RunSummary Summary(int exit_status) const;

  /// Reports one denial the kernel logged (DenialObserver feeds Run() through this).
  void HandleDenial(const SeccompAuditRecord& record);

  /// True when the kernel killed process `pid` for a `kill` rule (seen in its audit record).
  bool KilledForPolicy(int pid) const { return killed_.count(pid) != 0; }

  /// Counters so far.
  const SupervisorStats& stats() const { return stats_; }
  /// Whether FD_SYNC_WAKE_UP is in effect.
  bool sync_wake_up() const { return sync_wake_up_; }
  /// The listener fd (owned).
  int listener_fd() const { return fd_; }

 private:
  void Flush();
  bool DescribeNotified(Event& event, const SeccompData& data, std::optional<Arch> arch,
                        std::string_view name, int tid, int64_t now_ns, const policy::Decision& decision,
                        uint64_t id);
  /// Reports the `count`th call of `event`'s shape: JSON within the limits, a terminal line and a
  /// suggestion when it is the first.
  void Report(Event& event, const CallShape& shape, uint64_t count, bool needs_allow);
  bool HasJsonSinks() const;
  /// Whether the `count`th call of a shape is written as a JSON event (before the size cap).
  bool WantsJson(uint64_t count) const;
  Result<void> DrainDenials();
  /// What a denial of `returned` for (ABI, nr) is attributed to, computed once per key.
  const DenialAttribution& AttributionFor(uint32_t audit_arch, uint32_t nr, ActionKind returned);
  int KeyArgFor(uint32_t audit_arch, int32_t nr, std::string_view name);

  int fd_;
  SupervisorOptions options_;
  policy::CompiledEvaluator evaluator_;  ///< names the deciding rule without allocating
  std::vector<unsigned char> request_;
  std::vector<unsigned char> response_;
  TaskInfoCache tasks_;
  Ledger ledger_;
  SupervisorStats stats_;
  std::set<int> killed_;
  std::unordered_map<uint64_t, int> key_args_;
  bool sync_wake_up_ = false;
  uint64_t event_bytes_ = 0;
  std::map<std::tuple<uint32_t, uint32_t, ActionKind>, DenialAttribution> attributions_;  ///< JSON event bytes written so far (for max_event_bytes)
  // Per thread, the call whose answer came back ENOENT (interrupted by a signal): its restart is
  // not a new call. A thread has one call in flight, so one entry each; others may notify between.
  std::unordered_map<int, std::array<unsigned char, 64>> aborted_by_tid_;
};

}  // namespace sysfence::run
