// SPDX-License-Identifier: Apache-2.0
// Policy generation from a synthetic profile: golden output, determinism, twins, newer syscalls,
// conditions, and what the generated policy decides (through the reference evaluator).
#include "record/generate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "core/diagnostic.h"
#include "policy/evaluate.h"
#include "policy/parser.h"
#include "policy/printer.h"
#include "profile/profile.h"
#include "syscalls/syscalls.h"
#include "tests/support/test_paths.h"

namespace sysfence::record {
namespace {

profile::SyscallRecord Seen(std::string name, uint64_t count, uint64_t errors = 0, Arch arch = Arch::kX86_64) {
  profile::SyscallRecord record;
  record.arch = arch;
  record.number = syscalls::NumberOf(arch, name).value();
  record.name = std::move(name);
  record.count = count;
  record.errors = errors;
  record.first_ms = 1;
  record.last_ms = 2;
  record.processes = 1;
  record.startup_only = false;
  return record;
}

profile::ArgValues Values(std::initializer_list<uint64_t> values) {
  profile::ArgValues out;
  for (uint64_t value : values) out.Add(value);
  return out;
}

// A small program's recording: files, a socket of two families, one ioctl request, mmap with three
// protections, mprotect with too many values for a condition, threads through clone.
profile::Profile SyntheticProfile() {
  profile::Profile profile;
  profile.backend = "ptrace";
  profile.kernel_release = "5.10.0-28-amd64";
  profile.native_arch = Arch::kX86_64;
  profile.command = {"demo", "--flag"};
  profile.process_images = 2;
  profile.errors_known = true;
  profile.syscalls.push_back(Seen("read", 120));
  profile.syscalls.push_back(Seen("write", 40, 2));
  profile.syscalls.push_back(Seen("openat", 20, 3));
  profile.syscalls.push_back(Seen("close", 20));
  profile.syscalls.push_back(Seen("newfstatat", 9));
  profile.syscalls.push_back(Seen("faccessat", 1));
  profile.syscalls.back().startup_only = true;
  profile::SyscallRecord clone = Seen("clone", 2);
  clone.args[0] = Values({0x3d0f00});
  profile.syscalls.push_back(clone);
  profile::SyscallRecord socket = Seen("socket", 4);
  socket.args[0] = Values({1, 2});
  socket.args[1] = Values({0x80001, 0x80002});
  profile.syscalls.push_back(socket);
  profile::SyscallRecord ioctl = Seen("ioctl", 3, 1);
  ioctl.args[1] = Values({0x5401});
  profile.syscalls.push_back(ioctl);
  profile::SyscallRecord mmap = Seen("mmap", 30);
  mmap.args[2] = Values({0, 1, 3});
  profile.syscalls.push_back(mmap);
  profile::SyscallRecord mprotect = Seen("mprotect", 12);
  mprotect.args[2] = Values({1, 3});
  mprotect.args[2].overflow = true;
  profile.syscalls.push_back(mprotect);
  profile.syscalls.push_back(Seen("exit_group", 2));
  profile.syscalls.push_back(Seen("execve", 2));
  profile.syscalls.push_back(Seen("ptrace", 1));
  std::sort(profile.syscalls.begin(), profile.syscalls.end(), [](const profile::SyscallRecord& a, const profile::SyscallRecord& b) {
    return std::tie(a.arch, a.name) < std::tie(b.arch, b.name);
  });
  return profile;
}

const policy::Rule* RuleFor(const policy::Policy& policy, std::string_view name) {
  for (const policy::Rule& rule : policy.rules) {
    if (std::find(rule.targets.begin(), rule.targets.end(), name) != rule.targets.end()) return &rule;
  }
  return nullptr;
}

Action Decide(const policy::Policy& policy, std::string_view name, std::initializer_list<uint64_t> args = {}) {
  bpf::SeccompData data;
  data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
  data.nr = static_cast<int32_t>(syscalls::NumberOf(Arch::kX86_64, name).value());
  int i = 0;
  for (uint64_t arg : args) data.args[i++] = arg;
  return policy::Evaluate(policy, data).action;
}

std::string GoldenPath() {
  return sysfence::test_paths::SourceDir() + "/src/record/testdata/synthetic.sfp";
}

TEST(GenerateTest, MatchesGoldenOutput) {
  const profile::Profile profile = SyntheticProfile();
  const std::string text = RenderGeneratedPolicy(profile, GeneratePolicy(profile));
  if (std::getenv("SYSFENCE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GoldenPath()) << text;
  }
  std::ifstream golden(GoldenPath());
  ASSERT_TRUE(golden) << "missing " << GoldenPath() << " (run with SYSFENCE_UPDATE_GOLDEN=1 to create it)";
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(text, expected.str());
}

TEST(GenerateTest, PrintedPolicyParsesBackToTheSamePolicy) {
  const profile::Profile profile = SyntheticProfile();
  const policy::Policy generated = GeneratePolicy(profile);
  const std::string text = RenderGeneratedPolicy(profile, generated);
  Diagnostics diagnostics;
  auto parsed = policy::ParsePolicy(text, "generated.sfp", diagnostics);
  ASSERT_TRUE(parsed.has_value()) << text;
  EXPECT_EQ(*parsed, generated);
}

TEST(GenerateTest, IsDeterministicWhateverTheRecordOrder) {
  const profile::Profile profile = SyntheticProfile();
  const std::string first = RenderGeneratedPolicy(profile, GeneratePolicy(profile));
  profile::Profile shuffled = profile;
  std::mt19937 random(42);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(shuffled.syscalls.begin(), shuffled.syscalls.end(), random);
    EXPECT_EQ(RenderGeneratedPolicy(shuffled, GeneratePolicy(shuffled)), first);
  }
}

TEST(GenerateTest, DeniesByDefaultWithEpermAndKillsOtherArches) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  EXPECT_EQ(policy.arches, std::vector<Arch>{Arch::kX86_64});
  EXPECT_EQ(policy.default_action, Action::Errno(EPERM));
  EXPECT_EQ(policy.badarch_action, Action::KillProcess());
  EXPECT_EQ(Decide(policy, "mount"), Action::Errno(EPERM));
  EXPECT_EQ(Decide(policy, "read"), Action::Allow());
  GenerateOptions kill;
  kill.default_action = Action::KillProcess();
  EXPECT_EQ(GeneratePolicy(SyntheticProfile(), kill).default_action, Action::KillProcess());
}

TEST(GenerateTest, AllowsWhatEveryProgramNeedsEvenUnseen) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  for (const char* name : {"exit", "exit_group", "rt_sigreturn", "restart_syscall", "clock_gettime", "gettimeofday"}) {
    EXPECT_EQ(Decide(policy, name), Action::Allow()) << name;
  }
}

TEST(GenerateTest, ConditionsOnFewMeaningfulValues) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  // socket: domain in {AF_UNIX, AF_INET}; the type values are evidence only.
  const policy::Rule* socket = RuleFor(policy, "socket");
  ASSERT_NE(socket, nullptr);
  ASSERT_TRUE(socket->condition.has_value());
  EXPECT_EQ(Decide(policy, "socket", {1, 1, 0}), Action::Allow());
  EXPECT_EQ(Decide(policy, "socket", {2, 2, 0}), Action::Allow());
  EXPECT_EQ(Decide(policy, "socket", {10, 1, 0}), Action::Errno(EPERM));  // AF_INET6 was never seen
  EXPECT_EQ(Decide(policy, "socket", {16, 3, 0}), Action::Errno(EPERM));  // nor AF_NETLINK
  // ioctl: only TCGETS, and only its low 32 bits count.
  EXPECT_EQ(Decide(policy, "ioctl", {0, 0x5401}), Action::Allow());
  EXPECT_EQ(Decide(policy, "ioctl", {0, 0x5412}), Action::Errno(EPERM));  // TIOCSTI
  // mmap: prot in {PROT_NONE, PROT_READ, PROT_READ|PROT_WRITE}: no executable mappings.
  EXPECT_EQ(Decide(policy, "mmap", {0, 4096, 3, 0x22}), Action::Allow());
  EXPECT_EQ(Decide(policy, "mmap", {0, 4096, 5, 0x22}), Action::Errno(EPERM));
  // mprotect overflowed: no condition, any prot.
  const policy::Rule* mprotect = RuleFor(policy, "mprotect");
  ASSERT_NE(mprotect, nullptr);
  EXPECT_FALSE(mprotect->condition.has_value());
  EXPECT_EQ(Decide(policy, "mprotect", {0, 4096, 7}), Action::Allow());
  // Arguments that are not constants (read's fd and size) never get conditions.
  EXPECT_FALSE(RuleFor(policy, "read")->condition.has_value());
}

Action DecideOn(const policy::Policy& policy, Arch arch, std::string_view name, std::initializer_list<uint64_t> args) {
  bpf::SeccompData data;
  data.arch = GetArchInfo(arch).audit_arch;
  data.nr = static_cast<int32_t>(syscalls::NumberOf(arch, name).value());
  int i = 0;
  for (uint64_t arg : args) data.args[i++] = arg;
  return policy::Evaluate(policy, data).action;
}

// Conditions name arguments by their meaning, not by x86_64's positions: clone's flags are the
// second argument on s390x, and i386's mmap has no prot to restrict.
TEST(GenerateTest, ConditionsFollowEachAbisArguments) {
  profile::Profile profile;
  profile.backend = "ptrace";
  profile.native_arch = Arch::kX86_64;
  profile::SyscallRecord x86_64_clone = Seen("clone", 2);
  x86_64_clone.args[0] = Values({0x1200011});
  profile::SyscallRecord s390x_clone = Seen("clone", 3, 0, Arch::kS390x);
  s390x_clone.args[1] = Values({0x1200011});
  profile::SyscallRecord x86_64_mmap = Seen("mmap", 5);
  x86_64_mmap.args[2] = Values({3});
  profile::SyscallRecord i386_mmap = Seen("mmap", 4, 0, Arch::kX86);
  profile.syscalls = {x86_64_clone, x86_64_mmap, i386_mmap, s390x_clone};
  const policy::Policy policy = GeneratePolicy(profile);
  EXPECT_EQ(DecideOn(policy, Arch::kX86_64, "clone", {0x1200011}), Action::Allow());
  EXPECT_EQ(DecideOn(policy, Arch::kX86_64, "clone", {0x10000000}), Action::Errno(EPERM));  // CLONE_NEWUSER
  EXPECT_EQ(DecideOn(policy, Arch::kS390x, "clone", {0x7ff000, 0x1200011}), Action::Allow());
  EXPECT_EQ(DecideOn(policy, Arch::kS390x, "clone", {0x1200011, 0x10000000}), Action::Errno(EPERM));
  // The x86_64 mmap keeps its condition; the i386 one gets a rule of its own, without one.
  EXPECT_EQ(DecideOn(policy, Arch::kX86_64, "mmap", {0, 4096, 3, 0x22}), Action::Allow());
  EXPECT_EQ(DecideOn(policy, Arch::kX86_64, "mmap", {0, 4096, 7, 0x22}), Action::Errno(EPERM));
  EXPECT_EQ(DecideOn(policy, Arch::kX86, "mmap", {0x1000}), Action::Allow());
  const std::string text = policy::PrintPolicy(policy);
  EXPECT_NE(text.find("allow clone on x86_64 s390x if clone_flags == CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD\n"),
            std::string::npos)
      << text;
  Diagnostics diagnostics;
  const std::optional<policy::Policy> reparsed = policy::ParsePolicy(text, "generated.sfp", diagnostics);
  ASSERT_TRUE(reparsed) << text;
  EXPECT_EQ(DecideOn(*reparsed, Arch::kS390x, "clone", {0x1200011, 0x10000000}), Action::Errno(EPERM));
  EXPECT_EQ(DecideOn(*reparsed, Arch::kX86, "mmap", {0x1000}), Action::Allow());
}

// Socket options are evidence named by their level; the level is the condition.
TEST(GenerateTest, SocketOptionsAreNamedByTheirLevel) {
  profile::Profile profile;
  profile.backend = "ptrace";
  profile.native_arch = Arch::kX86_64;
  profile::SyscallRecord setsockopt = Seen("setsockopt", 2);
  setsockopt.args[1] = Values({6});
  setsockopt.args[2] = Values({1});
  profile.syscalls = {setsockopt};
  const std::string text = policy::PrintPolicy(GeneratePolicy(profile));
  EXPECT_NE(text.find("; level SOL_TCP; optname seen TCP_NODELAY\nallow setsockopt if level == SOL_TCP\n"),
            std::string::npos)
      << text;
}

TEST(GenerateTest, ConditionValuesAreWrittenWithConstantsWhereTheyAreExactlyConstants) {
  profile::Profile profile = SyntheticProfile();
  for (profile::SyscallRecord& record : profile.syscalls) {
    // TCGETS and an ioctl request no constant names; PROT_READ|PROT_WRITE and PROT_NONE.
    if (record.name == "ioctl") record.args[1] = Values({0x5401, 0x12345678});
  }
  const std::string text = policy::PrintPolicy(GeneratePolicy(profile));
  EXPECT_NE(text.find("allow ioctl if cmd in {TCGETS, 0x12345678}\n"), std::string::npos) << text;
  EXPECT_NE(text.find("allow mmap if prot in {PROT_NONE, PROT_READ, PROT_READ|PROT_WRITE}\n"), std::string::npos)
      << text;
  // The spelled policy parses back to the same decisions.
  Diagnostics diagnostics;
  const std::optional<policy::Policy> reparsed = policy::ParsePolicy(text, "generated.sfp", diagnostics);
  ASSERT_TRUE(reparsed) << text;
  EXPECT_EQ(*reparsed, GeneratePolicy(profile));
}

TEST(GenerateTest, TooManyValuesMeansNoCondition) {
  profile::Profile profile = SyntheticProfile();
  for (profile::SyscallRecord& record : profile.syscalls) {
    if (record.name == "socket") record.args[0] = Values({1, 2, 10, 16});
  }
  GenerateOptions options;
  options.max_condition_values = 3;
  const policy::Policy policy = GeneratePolicy(profile, options);
  EXPECT_FALSE(RuleFor(policy, "socket")->condition.has_value());
  EXPECT_EQ(Decide(policy, "socket", {17, 3, 0}), Action::Allow());
}

TEST(GenerateTest, AnswersFallbackTwinsOfAllowedSyscallsWithEnosys) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  EXPECT_EQ(Decide(policy, "clone3"), Action::Errno(ENOSYS));      // clone allowed
  EXPECT_EQ(Decide(policy, "openat2"), Action::Errno(ENOSYS));     // openat allowed
  EXPECT_EQ(Decide(policy, "faccessat2"), Action::Errno(ENOSYS));  // faccessat allowed
  EXPECT_EQ(Decide(policy, "statx"), Action::Errno(ENOSYS));       // newfstatat allowed
  EXPECT_EQ(Decide(policy, "close_range"), Action::Errno(ENOSYS)); // close allowed
  EXPECT_EQ(Decide(policy, "rseq"), Action::Errno(ENOSYS));        // callers expect ENOSYS
  // fchmodat was not seen, so fchmodat2 (which 6.18 has) gets the default like any other syscall.
  profile::Profile recent = SyntheticProfile();
  recent.kernel_release = "6.18";
  EXPECT_EQ(Decide(GeneratePolicy(recent), "fchmodat2"), Action::Errno(EPERM));
  // A twin that was seen itself is simply allowed.
  profile::Profile with_clone3 = SyntheticProfile();
  with_clone3.syscalls.push_back(Seen("clone3", 1));
  EXPECT_EQ(Decide(GeneratePolicy(with_clone3), "clone3"), Action::Allow());
}

TEST(GenerateTest, AnswersSyscallsNewerThanTheRecordingKernelWithEnosys) {
  profile::Profile profile = SyntheticProfile();  // recorded on 5.10
  policy::Policy policy = GeneratePolicy(profile);
  EXPECT_EQ(Decide(policy, "epoll_pwait2"), Action::Errno(ENOSYS));             // 5.11
  EXPECT_EQ(Decide(policy, "landlock_create_ruleset"), Action::Errno(ENOSYS));  // 5.13
  EXPECT_EQ(Decide(policy, "mseal"), Action::Errno(ENOSYS));                    // 6.10
  EXPECT_EQ(Decide(policy, "pidfd_open"), Action::Errno(EPERM));                // 5.3: the kernel had it
  profile.kernel_release = "6.18.4";
  policy = GeneratePolicy(profile);
  EXPECT_EQ(Decide(policy, "mseal"), Action::Errno(EPERM));
  EXPECT_EQ(Decide(policy, "listns"), Action::Errno(ENOSYS));  // 6.19
}

TEST(GenerateTest, CommentsCarryTheEvidence) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  const policy::Rule* write = RuleFor(policy, "write");
  ASSERT_NE(write, nullptr);
  EXPECT_NE(write->comment.find("40 calls"), std::string::npos) << write->comment;
  EXPECT_NE(write->comment.find("2 failed"), std::string::npos) << write->comment;
  const policy::Rule* socket = RuleFor(policy, "socket");
  EXPECT_NE(socket->comment.find("AF_UNIX"), std::string::npos) << socket->comment;
  EXPECT_NE(socket->comment.find("AF_INET"), std::string::npos) << socket->comment;
  EXPECT_NE(RuleFor(policy, "faccessat")->comment.find("start-up only"), std::string::npos);
  EXPECT_NE(RuleFor(policy, "clone3")->comment.find("clone"), std::string::npos);
}

TEST(GenerateTest, GroupsRulesByBuiltInGroup) {
  const policy::Policy policy = GeneratePolicy(SyntheticProfile());
  std::vector<std::string> groups;
  for (const policy::Rule& rule : policy.rules) {
    if (rule.action != Action::Allow() || rule.targets.size() != 1 || rule.comment.rfind("@", 0) != 0) continue;
    const std::string group = GroupFor(rule.targets.front());
    if (groups.empty() || groups.back() != group) groups.push_back(group);
  }
  // Each group appears in one run of rules.
  std::vector<std::string> unique = groups;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  EXPECT_EQ(unique.size(), groups.size());
}

TEST(GenerateTest, OtherArchesSeenGetTheirOwnRules) {
  profile::Profile profile = SyntheticProfile();
  profile.syscalls.push_back(Seen("getuid", 1, 0, Arch::kX86));
  const policy::Policy policy = GeneratePolicy(profile);
  EXPECT_EQ(policy.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kX86}));
  const policy::Rule* getuid = RuleFor(policy, "getuid");
  ASSERT_NE(getuid, nullptr);
  EXPECT_EQ(getuid->only_arches, std::vector<Arch>{Arch::kX86});
  EXPECT_EQ(Decide(policy, "getuid"), Action::Errno(EPERM));  // not on x86_64
}

TEST(GenerateTest, UnnamedNumbersAreLeftOutAndReported) {
  profile::Profile profile = SyntheticProfile();
  profile::SyscallRecord unknown;
  unknown.name = "nr999";
  unknown.number = 999;
  unknown.count = 1;
  profile.syscalls.push_back(unknown);
  const policy::Policy policy = GeneratePolicy(profile);
  EXPECT_EQ(RuleFor(policy, "nr999"), nullptr);
  EXPECT_EQ(profile::UnnamedSyscalls(profile), std::vector<std::string>{"x86_64 nr 999"});
}

TEST(GenerateTest, FsRulesFromPathsAndExecutables) {
  profile::Profile profile = SyntheticProfile();
  profile.executables = {"/usr/bin/demo"};
  profile.paths["/etc/hostname"] = policy::kFsReadFile;
  for (int i = 0; i < 6; ++i) profile.paths["/usr/lib/x/lib" + std::to_string(i) + ".so"] = policy::kFsReadFile;
  profile.paths["/tmp/out"] = policy::kFsWriteFile;
  GenerateOptions options;
  EXPECT_TRUE(GeneratePolicy(profile, options).fs_rules.empty());
  options.fs_rules = true;
  const policy::Policy policy = GeneratePolicy(profile, options);
  bool read_collapsed = false, exec = false, write = false;
  for (const policy::FsRule& rule : policy.fs_rules) {
    auto has = [&](const char* path) { return std::find(rule.paths.begin(), rule.paths.end(), path) != rule.paths.end(); };
    if (rule.access == policy::kFsReadFile && has("/usr/lib/x") && has("/etc/hostname")) read_collapsed = true;
    if ((rule.access & policy::kFsExecute) && has("/usr/bin/demo")) exec = true;
    if (rule.access == policy::kFsWriteFile && has("/tmp/out")) write = true;
  }
  EXPECT_TRUE(read_collapsed);
  EXPECT_TRUE(exec);
  EXPECT_TRUE(write);
}

}  // namespace
}  // namespace sysfence::record
