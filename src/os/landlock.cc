// SPDX-License-Identifier: Apache-2.0
// Landlock against the kernel: probing, building the ruleset, restricting the calling process.
#include "os/landlock.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "os/landlock_uapi.h"

namespace sysfence::os {
namespace {

namespace uapi = landlock_uapi;

std::string ErrnoText(int err) { return std::string(strerrordesc_np(err) ? strerrordesc_np(err) : "unknown error"); }

std::string ErrnoWithName(int err) {
  const char* name = strerrorname_np(err);
  return std::string(name ? name : "errno " + std::to_string(err)) + ": " + ErrnoText(err);
}

class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&&) = delete;
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

int ProbeLandlockAbi(std::string* reason) {
  const long abi = syscall(uapi::kSysCreateRuleset, nullptr, 0, uapi::kCreateRulesetVersion);
  if (abi >= 1) return static_cast<int>(abi);
  const int err = errno;
  if (reason != nullptr) {
    if (err == ENOSYS) {
      *reason = "ENOSYS: the kernel is built without Landlock";
    } else if (err == EOPNOTSUPP) {
      *reason = "EOPNOTSUPP: Landlock is disabled at boot (add landlock to the lsm= boot parameter)";
    } else {
      *reason = "probe failed: " + ErrnoWithName(err);
    }
  }
  return 0;
}

Result<int> CountThreadsOfSelf() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) {
    const int err = errno;
    return MakeError(ErrorCode::kOs, "cannot count threads: /proc/self/task: " + ErrnoWithName(err));
  }
  int threads = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++threads;
  }
  closedir(dir);
  return threads;
}

PreparedLandlock::PreparedLandlock(PreparedLandlock&& other) noexcept
    : ruleset_fd_(std::exchange(other.ruleset_fd_, -1)),
      restrict_flags_(other.restrict_flags_),
      report_(std::move(other.report_)) {}

PreparedLandlock& PreparedLandlock::operator=(PreparedLandlock&& other) noexcept {
  if (this != &other) {
    if (ruleset_fd_ >= 0) close(ruleset_fd_);
    ruleset_fd_ = std::exchange(other.ruleset_fd_, -1);
    restrict_flags_ = other.restrict_flags_;
    report_ = std::move(other.report_);
  }
  return *this;
}

PreparedLandlock::~PreparedLandlock() {
  if (ruleset_fd_ >= 0) close(ruleset_fd_);
}

namespace {

// A path rule with its path opened (O_PATH) and whether it is a directory.
struct OpenedPath {
  ScopedFd fd;
  const LandlockPathRule* rule;
  bool is_directory;
};

// Paths are checked even when this kernel cannot use them: a policy naming a missing path is
// wrong on every kernel.
Result<std::vector<OpenedPath>> OpenPathRules(const LandlockPlan& plan) {
  std::vector<OpenedPath> opened;
  opened.reserve(plan.path_rules.size());
  for (const LandlockPathRule& rule : plan.path_rules) {
    ScopedFd fd(open(rule.path.c_str(), O_PATH | O_CLOEXEC));
    if (fd.get() < 0) {
      const int err = errno;
      return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kOs,
                       "landlock: fs rule at " + rule.span.ToString() + ": cannot open '" + rule.path +
                           "': " + ErrnoWithName(err));
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) {
      const int err = errno;
      return MakeError(ErrorCode::kOs, "landlock: fs rule at " + rule.span.ToString() + ": cannot stat '" +
                                           rule.path + "': " + ErrnoWithName(err));
    }
    opened.push_back({std::move(fd), &rule, S_ISDIR(st.st_mode)});
  }
  return opened;
}

// One thread, or every thread through TSYNC: never only the caller among several.
Result<void> PlanThreadSync(const LandlockPlan& plan, LandlockMode mode, uint32_t& restrict_flags,
                            LandlockReport& report) {
  Result<int> threads = CountThreadsOfSelf();
  if (!threads.ok()) {
    if (mode == LandlockMode::kRequire) {
      return MakeError(threads.error().code, "landlock: " + threads.error().message);
    }
    report.notes.push_back(threads.error().message + "; assuming a single thread");
    return Ok();
  }
  if (*threads <= 1) return Ok();
  if (!(LandlockRestrictFlagsOfAbi(plan.abi) & uapi::kRestrictSelfTsync)) {
    return MakeError(ErrorCode::kUnsupported,
                     "landlock: the process has " + std::to_string(*threads) + " threads, and Landlock ABI " +
                         std::to_string(plan.abi) +
                         " restricts only the calling thread (TSYNC needs ABI 8); apply the sandbox "
                         "before starting threads");
  }
  restrict_flags |= uapi::kRestrictSelfTsync;
  report.thread_sync = true;
  return Ok();
}

// Adds the path and port rules to the ruleset; a file keeps only the rights that apply to files.
Result<void> AddRules(int ruleset, const std::vector<OpenedPath>& opened, const LandlockPlan& plan,
                      LandlockReport& report) {
  for (const OpenedPath& path : opened) {
    uapi::PathBeneathAttr beneath;
    beneath.allowed_access = path.rule->allowed_access;
    // Directory-only rights on a file are EINVAL.
    if (!path.is_directory) beneath.allowed_access &= uapi::kFsFileRights;
    if (beneath.allowed_access == 0) {
      report.notes.push_back("rule at " + path.rule->span.ToString() + ": '" + path.rule->path +
                             "' is not a directory and the rule grants only directory rights: skipped");
      continue;
    }
    beneath.parent_fd = path.fd.get();
    if (syscall(uapi::kSysAddRule, ruleset, uapi::kRulePathBeneath, &beneath, 0u) != 0) {
      const int err = errno;
      return MakeError(ErrorCode::kOs, "landlock: fs rule at " + path.rule->span.ToString() + " ('" +
                                           path.rule->path + "'): landlock_add_rule: " + ErrnoWithName(err));
    }
  }
  for (const LandlockPortRule& rule : plan.port_rules) {
    uapi::NetPortAttr port;
    port.allowed_access = rule.allowed_access;
    port.port = rule.port;
    if (syscall(uapi::kSysAddRule, ruleset, uapi::kRuleNetPort, &port, 0u) != 0) {
      const int err = errno;
      return MakeError(ErrorCode::kOs, "landlock: net rule at " + rule.span.ToString() + " (port " +
                                           std::to_string(rule.port) + "): landlock_add_rule: " +
                                           ErrnoWithName(err));
    }
  }
  return Ok();
}

}  // namespace

Result<PreparedLandlock> PrepareLandlock(const LandlockPlan& plan, LandlockMode mode) {
  PreparedLandlock prepared;
  prepared.report_ = plan.report;
  Result<std::vector<OpenedPath>> opened = OpenPathRules(plan);
  if (!opened.ok()) return opened.error();
  if (!plan.HasRuleset()) return prepared;

  prepared.restrict_flags_ = plan.restrict_flags;
  if (auto synced = PlanThreadSync(plan, mode, prepared.restrict_flags_, prepared.report_); !synced.ok()) {
    return synced.error();
  }
  uapi::RulesetAttr attr;
  attr.handled_access_fs = plan.handled_fs;
  attr.handled_access_net = plan.handled_net;
  attr.scoped = plan.scoped;
  ScopedFd ruleset(static_cast<int>(syscall(uapi::kSysCreateRuleset, &attr, uapi::RulesetAttrSize(plan.abi), 0u)));
  if (ruleset.get() < 0) {
    const int err = errno;
    return MakeError(ErrorCode::kOs, "landlock: landlock_create_ruleset (ABI " + std::to_string(plan.abi) +
                                         "): " + ErrnoWithName(err));
  }
  if (auto added = AddRules(ruleset.get(), *opened, plan, prepared.report_); !added.ok()) return added.error();
  prepared.ruleset_fd_ = ruleset.release();
  return prepared;
}

Result<void> PreparedLandlock::Enforce() {
  if (ruleset_fd_ < 0) return Ok();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    const int err = errno;
    return MakeError(ErrorCode::kOs, "landlock: prctl(PR_SET_NO_NEW_PRIVS): " + ErrnoWithName(err));
  }
  if (syscall(uapi::kSysRestrictSelf, ruleset_fd_, restrict_flags_) != 0) {
    const int err = errno;
    return MakeError(err == EPERM ? ErrorCode::kPermission : ErrorCode::kOs,
                     "landlock: landlock_restrict_self: " + ErrnoWithName(err));
  }
  close(ruleset_fd_);
  ruleset_fd_ = -1;
  report_.applied = true;
  report_.notes.push_back("files opened before Landlock was applied keep the access they were opened with");
  return Ok();
}

Result<LandlockReport> ApplyLandlock(const LandlockGrants& grants, LandlockMode mode,
                                     const LandlockOptions& options) {
  std::string reason;
  const int abi = ProbeLandlockAbi(&reason);
  Result<LandlockPlan> plan = PlanLandlock(grants, abi, mode, options);
  if (!plan.ok()) {
    if (abi == 0) {
      return MakeError(plan.error().code, "landlock require: Landlock is unavailable (" + reason +
                                              "); nothing was applied");
    }
    return plan.error();
  }
  plan->report.unavailable_reason = reason;
  Result<PreparedLandlock> prepared = PrepareLandlock(*plan, mode);
  if (!prepared.ok()) return prepared.error();
  Result<void> enforced = prepared->Enforce();
  if (!enforced.ok()) return enforced.error();
  return prepared->report();
}

}  // namespace sysfence::os
