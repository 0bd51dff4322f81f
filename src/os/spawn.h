// SPDX-License-Identifier: Apache-2.0
// The one way sysfence starts a program (sandbox2's Executor): fork (clone into new namespaces when
// a kNamespaces step asks), then in the child an ordered list of pre-exec steps (signals, namespace
// set-up, resource limits, capabilities, no_new_privs, tracing, Landlock, CPU affinity, the seccomp
// filter), then a gate the parent opens, then execve. Fails closed: when a step fails the program
// never starts, and the error names the step and the reason.
//
// The child reports through memory shared with the parent (set up before fork) and a close-on-exec
// status pipe: once a filter is installed every syscall of the child goes through it, so from the
// filter on the child makes no syscall but execve: it publishes the listener's fd number and its
// state with plain stores, and spins at the gate until the parent holds the listener
// (pidfd_getfd(2)) and opens it. A child without a filter blocks on a go pipe at the gate instead. EOF on the status pipe then means execve succeeded or the child
// died; the shared state says which.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"
#include "os/privileges.h"
#include "os/unique_fd.h"

namespace sysfence::os {

/// One step the child takes between fork and execve.
enum class SpawnStepKind {
  kNamespaces,     ///< the child is cloned into new namespaces (`namespaces`); then SetUpNamespaces. First.
  kRlimits,        ///< ApplyResourceLimits(`limits`)
  kCapabilities,   ///< KeepOnlyCapabilities(`keep_capabilities`) (libcap)
  kSignals,        ///< empty signal mask; dispositions as sysfence inherited them (ignored stay ignored)
  kDeathSignal,    ///< SIGKILL when the parent dies (PR_SET_PDEATHSIG)
  kNoNewPrivs,     ///< prctl(PR_SET_NO_NEW_PRIVS)
  kTraceMe,        ///< PTRACE_TRACEME, then SIGSTOP: the parent's on_trace_stop runs
  kCustom,         ///< `custom` (Landlock goes here); its text is passed back as a note
  kAffinity,       ///< run on `cpu` only
  kSeccomp,        ///< install `filter` (with a listener when asked); the last step before the gate
};

/// A step and what it needs.
struct SpawnStep {
  SpawnStepKind kind = SpawnStepKind::kSignals;
  std::string name;  ///< for kCustom: the step's name in errors ("landlock")
  /// kCustom: runs in the child; an error stops the start, a non-empty text becomes the note.
  std::function<Result<std::string>()> custom;
  int cpu = -1;                    ///< kAffinity
  bpf::Program filter;             ///< kSeccomp
  bool new_listener = false;       ///< kSeccomp: SECCOMP_FILTER_FLAG_NEW_LISTENER
  bool log = false;                ///< kSeccomp: SECCOMP_FILTER_FLAG_LOG
  uint64_t namespaces = 0;         ///< kNamespaces: CLONE_NEW* flags
  IdentityMap identity;            ///< kNamespaces: the ids a new user namespace maps (the spawner's)
  std::vector<ResourceLimit> limits;   ///< kRlimits
  std::vector<int> keep_capabilities;  ///< kCapabilities

  /// A step that needs nothing but its kind.
  static SpawnStep Of(SpawnStepKind kind);
  /// A kCustom step named `name`.
  static SpawnStep Custom(std::string name, std::function<Result<std::string>()> run);
  /// A kAffinity step.
  static SpawnStep Affinity(int cpu);
  /// A kNamespaces step for CLONE_NEW* `flags`, mapping the calling process's ids.
  static SpawnStep Namespaces(uint64_t flags);
  /// A kRlimits step.
  static SpawnStep Rlimits(std::vector<ResourceLimit> limits);
  /// A kCapabilities step.
  static SpawnStep Capabilities(std::vector<int> keep);
  /// A kSeccomp step.
  static SpawnStep Seccomp(bpf::Program filter, bool new_listener, bool log = false);
};

/// What to start and how.
struct SpawnSpec {
  std::string path;               ///< executable to execve (already resolved)
  std::vector<std::string> argv;  ///< argv[0] included
  /// In order; a kNamespaces step must be the first (and excludes kTraceMe: the cloned child's C
  /// library keeps the parent's thread id), a kSeccomp step the last.
  std::vector<SpawnStep> steps;
  /// Runs in the parent when a kTraceMe child stopped (set ptrace options here); the spawner then
  /// continues the child. An error kills the child.
  std::function<Result<void>(pid_t)> on_trace_stop;
};

/// A started child, waiting at the gate before execve. Moving is allowed; destroying a child that
/// was never released kills and reaps it.
class SpawnedChild {
 public:
  /// The memory shared with the child (defined in spawn.cc).
  struct Shared;

  SpawnedChild();
  SpawnedChild(SpawnedChild&&) noexcept;
  SpawnedChild& operator=(SpawnedChild&&) noexcept;
  ~SpawnedChild();

  /// The child's pid.
  pid_t pid() const { return pid_; }
  /// A pidfd of the child (owned here).
  int pidfd() const { return pidfd_.get(); }
  /// What kCustom steps returned (joined by newlines).
  const std::string& note() const { return note_; }
  /// The filter's notification fd in this process; invalid without a listener. Taken once.
  UniqueFd TakeListener() { return std::move(listener_); }

  /// Opens the gate: the child calls execve. Does not wait (the exec may stop for a tracer or be
  /// notified to a listener this thread is about to serve).
  void Release();
  /// Waits until execve succeeded (status pipe EOF) or failed; the one notifying or tracing the
  /// child must be running elsewhere meanwhile. On failure the child has exited and is reaped.
  Result<void> AwaitExec();
  /// Release() then AwaitExec().
  Result<void> ReleaseAndAwaitExec();
  /// The error the child reported (a failed execve after Release), if any; the caller reaps.
  std::optional<Error> Failure() const;
  /// The errno of the child's failed execve (ENOENT, EACCES, ENOEXEC, ...), 0 when execve did not
  /// fail (or another step did). Structured, for the caller's exit status (ExecFailureStatus in
  /// os/exit_status.h): the child stores it in the shared memory before it exits, since under its
  /// filter it cannot count on write(2) to a pipe.
  int exec_errno() const;
  /// SIGKILL and reap (when not reaped yet).
  void KillAndReap();
  /// Forget the child: the caller waits for it (after a successful exec).
  void Detach();

 private:
  friend Result<SpawnedChild> Spawn(const SpawnSpec& spec);
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd listener_;
  UniqueFd status_;
  UniqueFd go_;  ///< write end of the go pipe: closing it opens the gate of an unfiltered child
  std::string note_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::string> step_names_;
  bool released_ = false;
};

/// Forks and runs the steps of `spec` up to the gate. On error the child is gone and reaped; the
/// message is "step 'NAME' failed: REASON" (callers prefix what could not start).
Result<SpawnedChild> Spawn(const SpawnSpec& spec);

/// Starts a helper command, `/bin/sh -c COMMAND` (not a confined program: no steps, no gate), with
/// `stdin_fd` as its standard input and `env` as its environment, an empty signal mask, SIGPIPE at
/// its default, in a process group of its own (kill(-pid) ends all it started). posix_spawn, so it
/// is safe from a thread of a multi-threaded process. Returns the pid (the caller reaps it).
Result<pid_t> SpawnHelperCommand(const std::string& command, int stdin_fd, const std::vector<std::string>& env);

/// Resolves `program` like execvp (a name without '/' is searched in $PATH). kNotFound when it is
/// missing, kInvalidInput when it is a folder or not executable.
Result<std::string> ResolveProgram(const std::string& program);

/// Whether `signal` was ignored (SIG_IGN) when this process started (`nohup` ignores SIGHUP):
/// such a signal stays ignored in every spawned program, and is not a stop request.
bool IgnoredAtStart(int signal);

}  // namespace sysfence::os
