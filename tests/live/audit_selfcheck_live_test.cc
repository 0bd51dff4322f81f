// SPDX-License-Identifier: Apache-2.0
// `run` checks that the kernel really writes seccomp audit records before it promises denial
// events: with 'errno' taken out of /proc/sys/kernel/seccomp/actions_logged (a machine-wide
// setting, so this binary runs alone: RUN_SERIAL), it must say denials are not reported rather
// than report none.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "tests/live/live_util.h"

namespace sysfence::live {
namespace {

constexpr const char* kActionsLogged = "/proc/sys/kernel/seccomp/actions_logged";

// Sets actions_logged for the test's lifetime, then puts the old value back.
class ActionsLogged {
 public:
  explicit ActionsLogged(const std::string& value) : saved_(ReadFile(kActionsLogged)) {
    std::ofstream(kActionsLogged) << value;
  }
  ~ActionsLogged() { std::ofstream(kActionsLogged) << saved_; }
  const std::string& saved() const { return saved_; }

 private:
  std::string saved_;
};

TEST(AuditSelfCheckLiveTest, NoErrnoRecordsMeansDenialsAreNotClaimedAsReported) {
  const std::string reason = LiveSkipReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  if (geteuid() != 0) GTEST_SKIP() << "needs root (the audit stream and the seccomp sysctl)";
  TempDir dir;
  const std::string policy = dir.Write("p.sfp", "arch x86_64\ndefault allow\nerrno EPERM uname\n");
  const std::string events = dir.Path("events.jsonl");
  {
    ActionsLogged without_errno("kill_process kill_thread trap user_notif trace log");
    ASSERT_NE(without_errno.saved().find("errno"), std::string::npos) << "errno was not logged to begin with";
    const Finished run =
        RunCommand({SysfenceBinary(), "run", "--policy", policy, "--events", events, "--", ProbeBinary(), "call", "uname"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "ret=-1 errno=EPERM\n");  // still denied: the kernel decides
    EXPECT_NE(run.err.find("denials are enforced by the kernel but not reported"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("actions_logged"), std::string::npos) << run.err;
    const auto lines = ReadEvents(events);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front()["denials_observed"], false);
  }
  // Restored: the same run reports the denial again.
  std::remove(events.c_str());
  const Finished run =
      RunCommand({SysfenceBinary(), "run", "--policy", policy, "--events", events, "--", ProbeBinary(), "call", "uname"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(EventsFor(ReadEvents(events), "uname").size(), 1u);
}

}  // namespace
}  // namespace sysfence::live
