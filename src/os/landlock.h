// SPDX-License-Identifier: Apache-2.0
// Landlock from plain grants (paths with file-system rights, TCP ports with network rights; run/
// translates a policy's `fs` and `net` rules into them): probe the kernel's ABI, plan a ruleset for it
// (pure, testable for every ABI), then open the paths, build the ruleset and restrict the process.
//
// Semantics (docs/landlock.md):
//  - With any path grant, every file-system right sysfence knows is handled (denied unless a rule
//    grants it beneath a path); with any port grant, TCP bind and connect are both handled.
//  - A rule granting write-file also grants truncate (open(O_TRUNC) and ftruncate need it).
//  - Rights newer than the running kernel's ABI are masked. `best-effort` applies the rest and the
//    report lists exactly what is not enforced; `require` applies nothing and fails instead.
//  - Landlock restricts the calling thread (and its future children) only, unless ABI 8's TSYNC is
//    used: apply it before the process starts threads. ApplyLandlock refuses to restrict one thread
//    of a multi-threaded process when the kernel cannot synchronize them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"

namespace sysfence::os {

/// What to do when the kernel cannot enforce everything the policy asks for.
enum class LandlockMode : uint8_t {
  kBestEffort,  ///< apply what the kernel supports, report the rest
  kRequire,     ///< apply nothing and fail unless everything is enforced
};

/// File-system rights (landlock_uapi kFs* bits) granted beneath each of `paths`: a policy's `fs` rule.
struct LandlockPathGrant {
  uint64_t access = 0;
  std::vector<std::string> paths;
  SourceSpan span;  ///< where the grant was written, for reports and errors
};

/// TCP rights (landlock_uapi kNetBindTcp / kNetConnectTcp) granted on `port`: a policy's `net` rule.
struct LandlockPortGrant {
  uint64_t access = 0;
  uint16_t port = 0;
  SourceSpan span;
};

/// Everything a process is granted once Landlock restricts it. Empty: no fs/net restriction.
struct LandlockGrants {
  std::vector<LandlockPathGrant> paths;
  std::vector<LandlockPortGrant> ports;
};

/// The newest Landlock ABI sysfence knows; newer kernels are planned as this ABI.
inline constexpr int kLandlockMaxKnownAbi = 8;

/// How completely a policy's Landlock part is (or would be) enforced.
enum class LandlockStatus : uint8_t {
  kNotRequested,       ///< the policy has no fs/net rules (and no scope was asked for)
  kFullyEnforced,      ///< every restriction is enforced
  kPartiallyEnforced,  ///< a ruleset is enforced, but some restrictions are missing (see `dropped`)
  kNotEnforced,        ///< nothing could be enforced (no Landlock, or nothing this ABI handles)
};

/// "not-requested", "fully-enforced", "partially-enforced", "not-enforced".
std::string_view LandlockStatusName(LandlockStatus status);

/// Parses "best-effort" or "require".
std::optional<LandlockMode> LandlockModeFromName(std::string_view name);

/// One thing the kernel cannot enforce.
struct LandlockDrop {
  enum class Kind : uint8_t {
    kFsRight,   ///< a file-system right stays unrestricted everywhere
    kNetRight,  ///< a TCP right stays unrestricted
    kNetRule,   ///< a `net` rule has no effect (its right is unrestricted)
    kScope,     ///< an IPC scope is not applied
  };
  Kind kind = Kind::kFsRight;
  std::string name;    ///< "truncate", "bind-tcp", "net bind tcp 8080", "scope signal"
  int needs_abi = 0;   ///< the Landlock ABI that would enforce it
  SourceSpan span;     ///< the rule it comes from (kNetRule), else empty
  friend bool operator==(const LandlockDrop&, const LandlockDrop&) = default;
};

/// What happened (or would happen) to the Landlock part of a policy on one kernel.
struct LandlockReport {
  int abi = 0;                     ///< the kernel's Landlock ABI; 0 when Landlock is unavailable
  std::string unavailable_reason;  ///< why abi is 0 (kernel without Landlock, disabled at boot)
  LandlockStatus status = LandlockStatus::kNotRequested;
  uint64_t handled_fs = 0;   ///< landlock_uapi kFs* rights handled by the ruleset
  uint64_t handled_net = 0;  ///< landlock_uapi kNet* rights handled
  uint64_t scoped = 0;       ///< landlock_uapi kScope* scopes applied
  std::vector<LandlockDrop> dropped;  ///< what is not enforced, in a stable order
  std::vector<std::string> notes;     ///< informational (skipped rules, grants the ABI cannot give)
  bool applied = false;      ///< landlock_restrict_self succeeded
  bool thread_sync = false;  ///< the ruleset was applied to every thread (ABI 8 TSYNC)

  /// A multi-line human summary: ABI, status, then one line per drop and note.
  std::string ToString() const;
};

/// Extra Landlock features the policy language does not express (the library API sets them).
struct LandlockOptions {
  bool scope_abstract_unix_socket = false;  ///< ABI 6: no connecting to abstract sockets outside
  bool scope_signal = false;                ///< ABI 6: no signals to processes outside the domain
  bool log_new_exec_on = false;             ///< ABI 7: audit-log denials after execve too
  /// Put the process in a Landlock domain even when no rule asks for one, for the walls every
  /// domain raises: no ptrace-class access (ptrace, /proc/PID/mem, process_vm_*, pidfd_getfd) to
  /// processes outside it (any ABI), and no signals to them (scope signal, ABI 6). Without fs/net
  /// rules the domain restricts nothing else (it handles make-block and grants it beneath "/").
  /// A scope the ABI lacks is a note, not a drop: `require` is about the policy's own rules.
  bool isolation = false;
};

/// The Landlock ABI that gives LandlockOptions::isolation all its walls (signal scoping).
inline constexpr int kLandlockIsolationAbi = 6;

/// A path rule of a plan: rights allowed beneath `path`.
struct LandlockPathRule {
  std::string path;
  uint64_t allowed_access = 0;  ///< landlock_uapi kFs* bits, already masked to the plan's ABI
  SourceSpan span;
  friend bool operator==(const LandlockPathRule&, const LandlockPathRule&) = default;
};

/// A port rule of a plan: TCP rights allowed on `port`.
struct LandlockPortRule {
  uint16_t port = 0;
  uint64_t allowed_access = 0;  ///< landlock_uapi kNet* bits
  SourceSpan span;              ///< the first rule naming the port
  friend bool operator==(const LandlockPortRule&, const LandlockPortRule&) = default;
};

/// The ruleset one ABI gets for a policy: computed without touching the kernel.
struct LandlockPlan {
  int abi = 0;  ///< the ABI planned for (capped at kLandlockMaxKnownAbi)
  uint64_t handled_fs = 0;
  uint64_t handled_net = 0;
  uint64_t scoped = 0;
  uint32_t restrict_flags = 0;  ///< landlock_restrict_self flags (logging); TSYNC is added at apply
  std::vector<LandlockPathRule> path_rules;
  std::vector<LandlockPortRule> port_rules;
  LandlockReport report;  ///< status, dropped and notes as planned (applied == false)

  /// True when there is a ruleset to enforce (something handled on this ABI).
  bool HasRuleset() const { return handled_fs != 0 || handled_net != 0 || scoped != 0; }
};

/// The file-system rights Landlock ABI `abi` knows (landlock_uapi kFs* bits); 0 for abi <= 0.
uint64_t LandlockFsRightsOfAbi(int abi);
/// The network rights ABI `abi` knows.
uint64_t LandlockNetRightsOfAbi(int abi);
/// The scopes ABI `abi` knows.
uint64_t LandlockScopesOfAbi(int abi);
/// The landlock_restrict_self flags ABI `abi` knows.
uint32_t LandlockRestrictFlagsOfAbi(int abi);

/// Comma-separated names of landlock_uapi kFs* rights ("read-file,read-dir"), "none" when empty.
std::string LandlockFsRightsText(uint64_t rights);
/// Comma-separated names of landlock_uapi kNet* rights ("bind-tcp,connect-tcp"), "none" when empty.
std::string LandlockNetRightsText(uint64_t rights);

/// Plans the ruleset for `abi` (0 = Landlock unavailable). Pure. In kRequire mode, fails
/// (kUnsupported, listing every missing right) when anything requested cannot be enforced on `abi`.
Result<LandlockPlan> PlanLandlock(const LandlockGrants& grants, int abi, LandlockMode mode,
                                  const LandlockOptions& options = {});

/// The running kernel's Landlock ABI: a version >= 1, or 0 with the reason in `*reason`
/// (ENOSYS: not built in; EOPNOTSUPP: disabled at boot).
int ProbeLandlockAbi(std::string* reason = nullptr);

/// Threads of the calling process (entries of /proc/self/task); an error when /proc is unreadable.
Result<int> CountThreadsOfSelf();

/// A ruleset built from a plan and ready to enforce: paths opened and checked, rules added. Holding
/// it changes nothing; Enforce() restricts the process. Move-only; closes its fd.
class PreparedLandlock {
 public:
  PreparedLandlock() = default;
  PreparedLandlock(PreparedLandlock&& other) noexcept;
  PreparedLandlock& operator=(PreparedLandlock&& other) noexcept;
  PreparedLandlock(const PreparedLandlock&) = delete;
  PreparedLandlock& operator=(const PreparedLandlock&) = delete;
  ~PreparedLandlock();

  /// Sets no_new_privs and calls landlock_restrict_self. Afterwards report().applied is true. Does
  /// nothing (successfully) when there is no ruleset. Call once.
  Result<void> Enforce();

  /// The report so far (final after Enforce).
  const LandlockReport& report() const { return report_; }

 private:
  friend Result<PreparedLandlock> PrepareLandlock(const LandlockPlan& plan, LandlockMode mode);
  int ruleset_fd_ = -1;
  uint32_t restrict_flags_ = 0;
  LandlockReport report_;
};

/// Opens every path of `plan` (O_PATH|O_CLOEXEC; a missing path fails naming the rule's file:line),
/// creates the ruleset and adds the rules; checks the thread count (more than one thread without
/// TSYNC fails). Nothing is enforced yet.
Result<PreparedLandlock> PrepareLandlock(const LandlockPlan& plan, LandlockMode mode);

/// Probe, plan, prepare and enforce in one step, for the calling process (call it in the child after
/// fork, before the seccomp filter: the filter may not allow Landlock's syscalls). The error names
/// the step; on error nothing was enforced.
Result<LandlockReport> ApplyLandlock(const LandlockGrants& grants, LandlockMode mode,
                                     const LandlockOptions& options = {});

}  // namespace sysfence::os
