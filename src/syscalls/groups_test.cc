// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "syscalls/syscalls.h"

namespace sysfence::syscalls {
namespace {

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::binary_search(names.begin(), names.end(), name);
}

TEST(GroupsTest, SortedUniqueAndDescribed) {
  const auto groups = AllGroups();
  ASSERT_GE(groups.size(), 31u);
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(groups[i - 1].name, groups[i].name);
    }
    EXPECT_TRUE(groups[i].name.starts_with('@')) << groups[i].name;
    EXPECT_FALSE(groups[i].description.empty()) << groups[i].name;
    EXPECT_EQ(groups[i].description.find('\n'), std::string_view::npos) << groups[i].name;
    EXPECT_FALSE(groups[i].members.empty()) << groups[i].name;
  }
}

TEST(GroupsTest, EveryMemberIsAKnownSyscallOrGroup) {
  for (const Group& group : AllGroups()) {
    std::set<std::string_view> seen;
    for (std::string_view member : group.members) {
      EXPECT_TRUE(seen.insert(member).second) << group.name << " lists " << member << " twice";
      if (member.starts_with('@')) {
        EXPECT_NE(FindGroup(member), nullptr) << group.name << " nests unknown " << member;
      } else {
        EXPECT_TRUE(IsKnownName(member)) << group.name << " has unknown syscall " << member;
      }
    }
    for (std::string_view name : ExpandGroup(group)) {
      EXPECT_TRUE(IsKnownName(name)) << group.name << ": " << name;
    }
  }
}

TEST(GroupsTest, TheIssuesGroupsExist) {
  for (std::string_view name : {"@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug", "@default",
                                "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@memory", "@module",
                                "@mount", "@network-io", "@obsolete", "@pkey", "@privileged", "@process",
                                "@raw-io", "@reboot", "@resources", "@sandbox", "@setuid", "@signal", "@swap",
                                "@sync", "@system-service", "@time", "@timer"}) {
    EXPECT_NE(FindGroup(name), nullptr) << name;
  }
  EXPECT_EQ(FindGroup("file-system"), nullptr);  // the '@' is part of the name
  EXPECT_EQ(FindGroup("@no-such-group"), nullptr);
  EXPECT_EQ(FindGroup(""), nullptr);
}

TEST(GroupsTest, NestedGroupsExpand) {
  const Group* privileged = FindGroup("@privileged");
  ASSERT_NE(privileged, nullptr);
  const auto names = ExpandGroup(*privileged);
  EXPECT_TRUE(Contains(names, "setuid"));      // through @setuid
  EXPECT_TRUE(Contains(names, "init_module"));  // through @module
  EXPECT_TRUE(Contains(names, "reboot"));       // through @reboot
  EXPECT_TRUE(Contains(names, "bpf"));          // directly
  EXPECT_FALSE(Contains(names, "@setuid"));     // group names never appear in an expansion
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());

  const auto memory = ExpandGroup(*FindGroup("@memory"));
  EXPECT_TRUE(Contains(memory, "pkey_mprotect"));
  EXPECT_TRUE(Contains(memory, "mmap"));
}

TEST(GroupsTest, SystemServiceExcludesDangerousGroups) {
  const auto service = ExpandGroup(*FindGroup("@system-service"));
  for (std::string_view group : {"@default", "@basic-io", "@file-system", "@network-io", "@signal", "@memory"}) {
    for (std::string_view name : ExpandGroup(*FindGroup(group))) {
      EXPECT_TRUE(Contains(service, name)) << group << " member " << name << " missing from @system-service";
    }
  }
  for (std::string_view group : {"@privileged", "@debug", "@mount", "@module", "@obsolete", "@raw-io",
                                 "@reboot", "@swap", "@clock", "@cpu-emulation"}) {
    for (std::string_view name : ExpandGroup(*FindGroup(group))) {
      EXPECT_FALSE(Contains(service, name)) << group << " member " << name << " is in @system-service";
    }
  }
}

TEST(GroupsTest, SpotChecks) {
  auto has = [](std::string_view group, std::string_view name) { return Contains(ExpandGroup(*FindGroup(group)), name); };
  EXPECT_TRUE(has("@default", "exit_group"));
  EXPECT_TRUE(has("@default", "rt_sigreturn"));
  EXPECT_TRUE(has("@default", "futex"));
  EXPECT_TRUE(has("@file-system", "openat"));
  EXPECT_TRUE(has("@network-io", "socket"));
  EXPECT_TRUE(has("@process", "clone3"));
  EXPECT_TRUE(has("@signal", "rt_sigaction"));
  EXPECT_TRUE(has("@time", "timer_create"));  // via @timer
  EXPECT_TRUE(has("@ipc", "pipe2"));
  EXPECT_TRUE(has("@obsolete", "_sysctl"));
  EXPECT_TRUE(has("@debug", "ptrace"));
  EXPECT_FALSE(has("@default", "ptrace"));
  EXPECT_FALSE(has("@file-system", "socket"));
}

TEST(GroupsTest, EveryX86_64SyscallButAFewIsInSomeGroup) {
  std::set<std::string_view> grouped;
  for (const Group& group : AllGroups()) {
    for (std::string_view name : ExpandGroup(group)) grouped.insert(name);
  }
  // Left out on purpose: each is a policy decision of its own (see docs/syscalls.md).
  const std::set<std::string_view> ungrouped = {"userfaultfd", "rseq_slice_yield", "lsm_set_self_attr"};
  for (const SyscallEntry& entry : AllOf(Arch::kX86_64)) {
    if (ungrouped.count(entry.name)) continue;
    EXPECT_TRUE(grouped.count(entry.name)) << entry.name << " is in no group";
  }
}

}  // namespace
}  // namespace sysfence::syscalls
