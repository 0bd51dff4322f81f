// SPDX-License-Identifier: Apache-2.0
#include "run/denial_observer.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace sysfence::run {
namespace {

TEST(ProcessTreeTest, DescendantsJoinOthersDoNot) {
  ProcessTree tree;
  tree.AddRoot(100);
  tree.Apply({100, 101, 101});  // the program forks
  tree.Apply({101, 102, 102});  // and its child forks
  tree.Apply({1, 200, 200});    // an unrelated process
  EXPECT_TRUE(tree.Contains(100));
  EXPECT_TRUE(tree.Contains(101));
  EXPECT_TRUE(tree.Contains(102));
  EXPECT_FALSE(tree.Contains(200));
  EXPECT_FALSE(tree.Contains(1));
}

// The root's own fork event (parent: sysfence) is read after AddRoot; it must not drop the root.
TEST(ProcessTreeTest, TheRootsOwnForkEventKeepsIt) {
  ProcessTree tree;
  tree.AddRoot(100);
  tree.Apply({50, 100, 100});
  EXPECT_TRUE(tree.Contains(100));
}

TEST(ProcessTreeTest, ThreadsDoNotAddProcessesAndReusedPidsLeave) {
  ProcessTree tree;
  tree.AddRoot(100);
  tree.Apply({100, 150, 100});  // a thread of the root: tgid 100
  EXPECT_FALSE(tree.Contains(150));
  tree.Apply({100, 101, 101});
  EXPECT_TRUE(tree.Contains(101));
  tree.Apply({1, 101, 101});  // 101 exited and an unrelated process got its pid
  EXPECT_FALSE(tree.Contains(101));
}

// The end-of-run wait that gives up before its marker comes back is counted (the summary then
// warns), and one that sees its marker is not.
TEST(DenialObserverTest, AGiveUpBeforeTheMarkerIsCounted) {
  if (geteuid() != 0) GTEST_SKIP() << "the audit stream needs root [feature: root]";
  Result<DenialObserver> observer = DenialObserver::Open();
  if (!observer.ok()) GTEST_SKIP() << "no seccomp audit records here: " << observer.error().message;
  EXPECT_EQ(observer.value().drain_timeouts(), 0u);
  ASSERT_TRUE(observer.value().DrainAll([](const SeccompAuditRecord&) {}, 0).ok());
  EXPECT_EQ(observer.value().drain_timeouts(), 1u);
  ASSERT_TRUE(observer.value().DrainAll([](const SeccompAuditRecord&) {}).ok());
  EXPECT_EQ(observer.value().drain_timeouts(), 1u);
}

}  // namespace
}  // namespace sysfence::run
