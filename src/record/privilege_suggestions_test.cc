// SPDX-License-Identifier: Apache-2.0
#include "record/privilege_suggestions.h"

#include <gtest/gtest.h>

#include "policy/parser.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

profile::SyscallRecord Seen(std::string_view name, std::map<int, std::vector<uint64_t>> args = {}) {
  profile::SyscallRecord record;
  record.name = std::string(name);
  record.number = *syscalls::NumberOf(Arch::kX86_64, name);
  record.count = 1;
  for (const auto& [index, values] : args) {
    for (uint64_t value : values) record.args[index].Add(value);
  }
  return record;
}

profile::Profile Recording(std::vector<profile::SyscallRecord> calls) {
  profile::Profile profile;
  profile.backend = "ebpf";
  profile.syscalls = std::move(calls);
  return profile;
}

bool Has(const std::string& text, std::string_view line) { return text.find(line) != std::string::npos; }

TEST(PrivilegeSuggestionsTest, RawSocketsMeanCapNetRawAndTheNetwork) {
  const std::string text = PrivilegeSuggestions(Recording({Seen("socket", {{0, {1, 2}}, {1, {3}}})}));
  EXPECT_TRUE(Has(text, "#   CAP_NET_RAW needed: socket(AF_INET, SOCK_RAW)\n")) << text;
  EXPECT_TRUE(Has(text, "\n# caps keep CAP_NET_RAW\n")) << text;
  EXPECT_TRUE(Has(text, "# Network: the program opened AF_INET sockets: it uses the network")) << text;
  EXPECT_FALSE(Has(text, "# unshare net")) << text;
  EXPECT_TRUE(Has(text, "hooking cap_capable needs a kprobe or fentry program")) << text;
}

TEST(PrivilegeSuggestionsTest, UnixSocketsOnlyProposeUnshareNet) {
  const std::string text = PrivilegeSuggestions(Recording({Seen("socket", {{0, {1}}, {1, {1}}}), Seen("read")}));
  EXPECT_TRUE(Has(text, "# Network: only AF_UNIX sockets were opened")) << text;
  EXPECT_TRUE(Has(text, "\n# unshare net\n")) << text;
  EXPECT_TRUE(Has(text, "#   none of the recorded calls needs one\n# caps keep none\n")) << text;
  const std::string none = PrivilegeSuggestions(Recording({Seen("read")}));
  EXPECT_TRUE(Has(none, "# Network: no socket was opened")) << none;
}

TEST(PrivilegeSuggestionsTest, UnrecordedFamiliesAreUnknownNotLocal) {
  const std::string text = PrivilegeSuggestions(Recording({Seen("socket")}));
  EXPECT_TRUE(Has(text, "whether it used the\n# network is unknown")) << text;
  EXPECT_FALSE(Has(text, "# unshare net")) << text;
}

TEST(PrivilegeSuggestionsTest, SometimesNeededCapabilitiesAreListedButNotKept) {
  const std::string text = PrivilegeSuggestions(Recording({Seen("chown"), Seen("chroot")}));
  EXPECT_TRUE(Has(text, "#   CAP_CHOWN may be needed: chown (depending on its target)\n")) << text;
  EXPECT_TRUE(Has(text, "#   CAP_SYS_CHROOT needed: chroot\n")) << text;
  EXPECT_TRUE(Has(text, "\n# caps keep CAP_SYS_CHROOT\n")) << text;
}

TEST(PrivilegeSuggestionsTest, OpenFilesFromTheHighestDescriptor) {
  profile::Profile profile = Recording({Seen("openat")});
  EXPECT_TRUE(Has(PrivilegeSuggestions(profile), "# Open files: not measured by the ebpf backend"));
  profile.fds_known = true;
  profile.highest_fd = 40;
  const std::string text = PrivilegeSuggestions(profile);
  EXPECT_TRUE(Has(text, "was 40 (at least 41 open at once)")) << text;
  EXPECT_TRUE(Has(text, "\n# rlimit NOFILE 256\n")) << text;  // 4 x 41 rounded up to a power of two
  profile.highest_fd = 3;
  EXPECT_TRUE(Has(PrivilegeSuggestions(profile), "\n# rlimit NOFILE 64\n"));
}

TEST(PrivilegeSuggestionsTest, EverySuggestedLineParsesOnceUncommented) {
  profile::Profile profile = Recording({Seen("socket", {{0, {17}}, {1, {3}}}), Seen("mount")});
  profile.fds_known = true;
  profile.highest_fd = 9;
  std::string policy = "arch x86_64\n";
  const std::string text = PrivilegeSuggestions(profile);
  for (std::string_view keyword : {"# caps keep ", "# rlimit "}) {
    const size_t at = text.find(keyword);
    ASSERT_NE(at, std::string::npos) << text;
    policy += text.substr(at + 2, text.find('\n', at) - at - 2) + "\n";
  }
  Diagnostics diagnostics;
  const auto parsed = policy::ParsePolicy(policy, "s.sfp", diagnostics);
  ASSERT_TRUE(parsed.has_value()) << policy;
  EXPECT_EQ(parsed->caps->keep, (std::vector<int>{13, 21}));  // CAP_NET_RAW (AF_PACKET), CAP_SYS_ADMIN
  EXPECT_EQ(parsed->rlimits.at(0).soft, 64u);
}

}  // namespace
}  // namespace sysfence::record
