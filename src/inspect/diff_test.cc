// SPDX-License-Identifier: Apache-2.0
#include "inspect/diff.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "inspect/inspect_test_util.h"

namespace sysfence::inspect {
namespace {

using testing::CompilePolicy;
using testing::DataFile;

SemanticDiff Diff(const bpf::Program& a, const bpf::Program& b) {
  auto diff = DiffStacks({a}, {b});
  EXPECT_TRUE(diff.ok()) << diff.error().message;
  return diff.ok() ? *diff : SemanticDiff{};
}

TEST(DiffTest, SamePolicyWrittenTwoWaysIsTheSame) {
  const SemanticDiff diff = Diff(CompilePolicy("arch x86_64\nallow read\nallow write\n"),
                                 CompilePolicy("arch x86_64\ndefault errno EPERM\nallow write read\n"));
  EXPECT_TRUE(diff.Same());
  EXPECT_NE(RenderDiff(diff, "a", "b").find("same decisions"), std::string::npos);
}

TEST(DiffTest, ArgumentRegionsAreWrittenAsPolicyLines) {
  const SemanticDiff diff = Diff(CompilePolicy("arch x86_64\nallow socket if family == AF_INET\n"),
                                 CompilePolicy("arch x86_64\nallow socket if family in {AF_INET, AF_INET6}\n"));
  ASSERT_EQ(diff.entries.size(), 1u);
  EXPECT_EQ(diff.entries[0].syscall, "socket");
  EXPECT_EQ(diff.entries[0].arch, Arch::kX86_64);
  EXPECT_EQ(diff.entries[0].condition, "family == 10");
  const std::string text = RenderDiff(diff, "a", "b");
  EXPECT_NE(text.find("@@ x86_64 @@\n- errno EPERM socket if family == 10\n+ allow socket if family == 10\n"),
            std::string::npos) << text;
}

TEST(DiffTest, DockersProfileAgainstARecordedPolicy) {
  const SemanticDiff diff = Diff(CompilePolicy(DataFile("moby-default.json")), CompilePolicy(DataFile("recorded-busybox.sfp")));
  ASSERT_FALSE(diff.Same());
  auto find = [&](Arch arch, std::string_view name) {
    return std::find_if(diff.entries.begin(), diff.entries.end(),
                        [&](const DiffEntry& e) { return e.arch == arch && e.syscall == name; });
  };
  // Docker allows socket for most families, the recording never opened one.
  auto socket = find(Arch::kX86_64, "socket");
  ASSERT_NE(socket, diff.entries.end());
  EXPECT_EQ(socket->left, Action::Allow());
  EXPECT_EQ(socket->right, Action::Errno(1));
  // The recording lists only x86_64: x86's read is Docker's allow and the recording's badarch kill.
  auto x86_read = find(Arch::kX86, "read");
  ASSERT_NE(x86_read, diff.entries.end());
  EXPECT_EQ(x86_read->right, Action::KillProcess());
  // Both allow read on x86_64: not a difference.
  EXPECT_EQ(find(Arch::kX86_64, "read"), diff.entries.end());
  // Sorted by ABI; every entry's witness really differs.
  EXPECT_TRUE(std::is_sorted(diff.entries.begin(), diff.entries.end(), [](const DiffEntry& a, const DiffEntry& b) {
    return a.arch.value_or(Arch::kS390x) < b.arch.value_or(Arch::kS390x);
  }));
  const auto json = nlohmann::json::parse(DiffJson(diff));
  EXPECT_FALSE(json["same"].get<bool>());
  EXPECT_EQ(json["differences"].size(), diff.entries.size());
}

}  // namespace
}  // namespace sysfence::inspect
