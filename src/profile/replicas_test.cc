// SPDX-License-Identifier: Apache-2.0
#include "profile/replicas.h"

#include <gtest/gtest.h>

namespace sysfence::profile {
namespace {

Profile Calls(std::initializer_list<const char*> names) {
  Profile p;
  for (const char* name : names) {
    SyscallRecord record;
    record.name = name;
    record.count = 1;
    p.syscalls.push_back(record);
  }
  return p;
}

policy::Rule Allow(std::vector<std::string> targets) {
  policy::Rule rule;
  rule.targets = std::move(targets);
  return rule;
}

TEST(Replicas, SaysWhichReplicasMadeTheCallsOfARule) {
  const Profile a = Calls({"read", "write"}), b = Calls({"read"}), c = Calls({"read", "getdents64"});
  const std::vector<Replica> replicas = {{"a@node-1", &a}, {"b@node-2", &b}, {"c@node-1", &c}};
  EXPECT_EQ(SeenByLine(Allow({"read"}), replicas), "seen by all 3 replicas");
  EXPECT_EQ(SeenByLine(Allow({"getdents64"}), replicas), "seen by 1 of 3 replicas: c@node-1");
  EXPECT_EQ(SeenByLine(Allow({"read", "write"}), replicas), "seen by 3 of 3 replicas: write: a@node-1; read: all");
  EXPECT_EQ(SeenByLine(Allow({"clone3"}), replicas), "");
  policy::Policy policy;
  policy.rules = {Allow({"write"}), Allow({"clone3"})};
  policy.rules[0].comment = "@basic-io: 2 calls";
  AnnotateReplicas(policy, replicas);
  EXPECT_EQ(policy.rules[0].comment, "@basic-io: 2 calls\nseen by 1 of 3 replicas: a@node-1");
  EXPECT_EQ(policy.rules[1].comment, "");
}

TEST(Replicas, NamesLikeTheSecurityProfilesOperator) {
  EXPECT_EQ(RecordedProfileName("web", "nginx"), "web-nginx");
  EXPECT_EQ(ReplicaSuffix("web-nginx-7c9d5-abcde.json", "web", "nginx"), "7c9d5-abcde");
  EXPECT_EQ(ReplicaSuffix("other.json", "web", "nginx"), "other");
  EXPECT_EQ(ReplicaSuffix("web-nginx.json", "web", "nginx"), "web-nginx");
}

}  // namespace
}  // namespace sysfence::profile
