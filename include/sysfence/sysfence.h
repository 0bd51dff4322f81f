// SPDX-License-Identifier: Apache-2.0
// sysfence: sandbox your own program with a seccomp-BPF filter and Landlock, from a policy file or a
// policy built in code. This is the public API (self-contained: it includes no internal header).
//
// A worked example: a program that only reads, writes and exits, the way tutorials sandbox
// themselves with hand-written BPF, but with the architecture check, x32 denied and a default
// that kills (examples/self_sandbox.cc is the complete program):
//
//   #include <sysfence/sysfence.h>
//
//   int main() {
//     sysfence::StatusOr<sysfence::Policy> policy = sysfence::PolicyBuilder()
//         .Arch("x86_64")                     // other ABIs (i386 via int 0x80, x32) get badarch
//         .Default("kill")                     // everything not allowed below kills the process
//         .Allow({"read", "write", "exit", "exit_group", "rt_sigreturn"})
//         .Build();
//     if (!policy.ok()) { fprintf(stderr, "%s\n", policy.status().message().c_str()); return 2; }
//     sysfence::StatusOr<sysfence::SandboxReport> report = sysfence::ApplySandbox(*policy);
//     if (!report.ok()) { fprintf(stderr, "%s\n", report.status().message().c_str()); return 3; }
//     // From here on: read, write and exit only, in every thread.
//   }
//
// Or from a file (.sfp text, or an OCI/Docker JSON profile):
//
//   auto policy = sysfence::Policy::FromFile("/etc/myapp/myapp.sfp");
//   sysfence::SandboxOptions options;
//   options.landlock = sysfence::LandlockMode::kRequire;  // refuse unless every fs/net rule is enforced
//   auto report = sysfence::ApplySandbox(*policy, options);
//
// Order inside ApplySandbox: compile the filter, plan Landlock for the running kernel and open its
// paths (everything that can fail because of the input), then no_new_privs, Landlock, and the seccomp
// filter on every thread (TSYNC). A failure before the last two steps changes nothing in the process.
// See docs/library.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sysfence/error_code.h"  // ErrorCode: what kind of failure a Status reports

/// Marks what the shared libsysfence.so exports; everything else in it is hidden (docs/library.md).
#ifndef SYSFENCE_API
#define SYSFENCE_API __attribute__((visibility("default")))
#endif

namespace sysfence {

/// The outcome of a library call: ok, or the step that failed ("load", "build", "compile",
/// "landlock", "seccomp", "strict-mode"), the kind of failure and a complete message saying what and
/// why.
class [[nodiscard]] Status {
 public:
  /// Success.
  Status() = default;
  /// A failure of kind `code` in `step` with `message`.
  static Status Failure(ErrorCode code, std::string step, std::string message) {
    Status status;
    status.ok_ = false;
    status.code_ = code;
    status.step_ = std::move(step);
    status.message_ = std::move(message);
    return status;
  }
  /// True on success.
  bool ok() const { return ok_; }
  /// What kind of failure: kInvalidInput for a bad policy or call, kNotFound for a missing file,
  /// kUnsupported / kPermission / kOs when the kernel refused. Meaningless on success.
  ErrorCode code() const { return code_; }
  /// The failed step; empty on success.
  const std::string& step() const { return step_; }
  /// The complete message ("landlock: fs rule at app.sfp:7:1: cannot open '/data': ENOENT: ...").
  const std::string& message() const { return message_; }

 private:
  bool ok_ = true;
  ErrorCode code_ = ErrorCode::kInternal;
  std::string step_;
  std::string message_;
};

/// A value or a failed Status. Check ok() before value().
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  /// A success holding `value`.
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A failure; `status` must not be ok.
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  /// True when a value is held.
  bool ok() const { return value_.has_value(); }
  /// The failure (ok Status when a value is held).
  const Status& status() const { return status_; }
  /// The value; only valid when ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

/// One classic-BPF instruction, laid out as the kernel's `struct sock_filter`.
struct FilterInstruction {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
};

namespace api {
struct PolicyAccess;  // defined in src/api, not part of the API
}  // namespace api

/// A loaded or built policy: seccomp rules plus Landlock `fs`/`net` rules. Copyable value.
class SYSFENCE_API Policy {
 public:
  /// Loads a policy file: .sfp text, or OCI/Docker/Kubernetes JSON ("-" reads standard input).
  /// Errors carry file:line:col (or a JSON path) for every problem found.
  static StatusOr<Policy> FromFile(const std::string& path);
  /// Parses policy text; `file_name` appears in error messages. Includes resolve from the current
  /// directory.
  static StatusOr<Policy> FromText(std::string_view text, std::string_view file_name = "<text>");

  Policy(const Policy& other);
  Policy& operator=(const Policy& other);
  Policy(Policy&& other) noexcept;
  Policy& operator=(Policy&& other) noexcept;
  ~Policy();

  /// The policy in canonical .sfp form.
  std::string ToText() const;
  /// Compiles the seccomp filter (for inspection or your own installation).
  StatusOr<std::vector<FilterInstruction>> CompileFilter() const;
  /// True when the policy has `fs` or `net` rules (ApplySandbox will use Landlock).
  bool HasLandlockRules() const;

 private:
  struct Impl;                      // the internal model, defined in src/api
  friend struct api::PolicyAccess;  // the implementation's only way in
  explicit Policy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Builds a policy in code. Calls chain; the first error sticks (later calls are ignored) and Build()
/// returns it, naming the call. Words are the policy language's (docs/policy-language.md).
/// Defaults: the ABI this program was built for, `default errno EPERM`, `badarch kill`.
class SYSFENCE_API PolicyBuilder {
 public:
  PolicyBuilder();
  PolicyBuilder(PolicyBuilder&&) noexcept;
  PolicyBuilder& operator=(PolicyBuilder&&) noexcept;
  ~PolicyBuilder();

  /// Adds an ABI the filter accepts ("x86_64", "x86", "x32", "aarch64", ...); the first call
  /// replaces the native default. Syscalls of any other ABI get the badarch action.
  PolicyBuilder& Arch(std::string_view abi);
  /// The action for syscalls no rule matches: "allow", "log", "errno EPERM", "errno 38", "kill",
  /// "kill-thread", "trap".
  PolicyBuilder& Default(std::string_view action);
  /// The action for syscalls of ABIs not listed (default "kill").
  PolicyBuilder& BadArch(std::string_view action);
  /// Allows syscalls: names ("read") and groups ("@signal").
  PolicyBuilder& Allow(const std::vector<std::string>& syscalls);
  /// A rule with any action ("errno ENOSYS", "kill", "log", ...) for syscalls and groups.
  PolicyBuilder& Rule(std::string_view action, const std::vector<std::string>& syscalls);
  /// A conditional rule; `condition` is policy syntax: "(prot & PROT_EXEC) == 0", "domain in {AF_UNIX}".
  PolicyBuilder& RuleIf(std::string_view action, std::string_view syscall, std::string_view condition);
  /// Landlock: `access` words ("read", "write", "exec", "read-file", "make-dir", ...) beneath `paths`.
  PolicyBuilder& Fs(std::string_view access, const std::vector<std::string>& paths);
  /// Landlock: a TCP port that may be bound ("bind") or connected to ("connect").
  PolicyBuilder& Net(std::string_view kind, uint16_t port);
  /// `caps keep CAP_...`: the process keeps only these capabilities, named as capabilities(7) writes
  /// them ("CAP_NET_BIND_SERVICE"); every other one leaves the bounding, permitted, effective,
  /// inheritable and ambient sets. Errors: an empty list (use KeepNoCapabilities), an unknown name,
  /// a name listed twice, a second caps call.
  PolicyBuilder& KeepCapabilities(const std::vector<std::string>& capabilities);
  /// `caps keep none`: every capability is dropped from every set.
  PolicyBuilder& KeepNoCapabilities();
  /// `unshare ...`: new namespaces, any subset of "net", "ipc", "uts", "pid", "mount", "user",
  /// "cgroup". "pid" needs "mount" beside it (docs/policy-language.md). Errors: an empty list, an
  /// unknown word, a word listed twice, a second unshare call.
  PolicyBuilder& Unshare(const std::vector<std::string>& namespaces);
  /// `rlimit NAME LIMIT`: soft and hard limit `limit` for the resource NAME ("NOFILE", "AS", ...,
  /// or "RLIMIT_NOFILE"); kUnlimited is `unlimited`. Sizes are in bytes, CPU in seconds.
  PolicyBuilder& Rlimit(std::string_view resource, uint64_t limit);
  /// `rlimit NAME SOFT HARD`. Errors: an unknown name, soft above hard, a value out of the
  /// resource's range (NICE 0..40, RTPRIO 0..99), the same resource twice.
  PolicyBuilder& Rlimit(std::string_view resource, uint64_t soft, uint64_t hard);
  /// The Rlimit value meaning `unlimited` (RLIM_INFINITY).
  static constexpr uint64_t kUnlimited = ~uint64_t{0};
  /// The policy, or the first error.
  StatusOr<Policy> Build() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// What to do when the kernel cannot enforce every `fs`/`net` rule.
enum class LandlockMode {
  kBestEffort,  ///< apply what this kernel supports; SandboxReport lists what is not enforced
  kRequire,     ///< fail (nothing applied) unless everything is enforced
};

/// Options for ApplySandbox.
struct SandboxOptions {
  LandlockMode landlock = LandlockMode::kBestEffort;
  bool log_denials = false;         ///< SECCOMP_FILTER_FLAG_LOG: the kernel logs non-allow actions
  bool scope_signals = false;       ///< Landlock ABI 6: no signals to processes outside the sandbox
  bool scope_abstract_unix = false; ///< Landlock ABI 6: no connecting to abstract UNIX sockets outside
};

/// What ApplySandbox did.
struct SYSFENCE_API SandboxReport {
  size_t filter_instructions = 0;  ///< length of the installed seccomp filter
  bool filter_all_threads = true;  ///< the filter was synchronized to every thread (TSYNC)
  int landlock_abi = 0;            ///< the kernel's Landlock ABI (0: unavailable)
  /// "not-requested", "fully-enforced", "partially-enforced" or "not-enforced".
  std::string landlock_status;
  /// Each restriction the kernel could not enforce: "truncate (needs ABI 3)",
  /// "net connect tcp 443 (needs ABI 4) at app.sfp:9:1".
  std::vector<std::string> landlock_not_enforced;
  /// Informational lines (skipped rules, fds opened before the sandbox keep their access).
  std::vector<std::string> landlock_notes;
  /// A multi-line summary.
  std::string ToString() const;
};

/// Sandboxes the calling process with `policy`: compile, then the policy's `unshare` (unshare(2):
/// the process enters the new namespaces, except PID, which its children enter), `rlimit` and
/// `caps keep` lines (step "namespaces", "rlimits", "capabilities" in a failed Status), Landlock
/// (fs/net rules), then the seccomp filter on every thread. With `unshare pid mount` no new /proc
/// is mounted: the caller stays in its PID namespace and its /proc keeps showing it (its children
/// see that /proc too; docs/library.md). Capabilities are per thread and a new
/// user namespace needs a single thread, and Landlock before ABI 8 restricts only the calling
/// thread: with such lines a process that already has other threads is refused (call this before
/// starting threads). Irreversible once it succeeds.
SYSFENCE_API StatusOr<SandboxReport> ApplySandbox(const Policy& policy, const SandboxOptions& options = {});

/// The running kernel's Landlock ABI version, 0 when Landlock is unavailable.
SYSFENCE_API int LandlockAbi();

/// Puts the calling thread into seccomp strict mode: from now on only read, write, exit (the raw
/// `exit` syscall: glibc's exit() and _exit() use exit_group and are killed) and rt_sigreturn; any
/// other syscall kills the thread with SIGKILL. Other threads are not affected. See docs/library.md.
SYSFENCE_API Status EnterStrictMode();

}  // namespace sysfence
