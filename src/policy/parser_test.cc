// SPDX-License-Identifier: Apache-2.0
#include "policy/parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "policy/test_util.h"

namespace sysfence::policy {
namespace {

using testing::Errors;
using testing::Parse;
using testing::Show;

constexpr std::string_view kHeader = "arch x86_64\n";

Policy MustParse(std::string_view text, std::map<std::string, std::string> files = {}) {
  testing::Parsed parsed = Parse(text, std::move(files));
  EXPECT_TRUE(parsed.policy.has_value()) << Show(parsed.diagnostics);
  return parsed.policy.value_or(Policy{});
}

Condition Cmp(int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  Condition condition;
  condition.compare.arg = arg;
  condition.compare.op = op;
  condition.compare.value = value;
  condition.compare.mask = mask;
  return condition;
}

Condition Node(Condition::Kind kind, std::vector<Condition> children) {
  Condition condition;
  condition.kind = kind;
  condition.children = std::move(children);
  return condition;
}

// --- Header statements -------------------------------------------------------------------------

TEST(ParserTest, HeaderStatements) {
  Policy policy = MustParse("arch x86_64 x86 x32\ndefault errno ENOSYS\nbadarch trap 7\n");
  EXPECT_EQ(policy.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kX86, Arch::kX32}));
  EXPECT_EQ(policy.default_action, Action::Errno(38));
  EXPECT_EQ(policy.badarch_action, Action::Trap(7));
  EXPECT_EQ(policy.default_span.line, 2u);
  EXPECT_TRUE(policy.rules.empty());
}

TEST(ParserTest, DefaultsWhenOmitted) {
  Policy policy = MustParse(kHeader);
  EXPECT_EQ(policy.default_action, Action::Errno(1));
  EXPECT_EQ(policy.badarch_action, Action::KillProcess());
}

TEST(ParserTest, ArchAliases) {
  Policy policy = MustParse("arch amd64 arm64\n");
  EXPECT_EQ(policy.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kAarch64}));
}

TEST(ParserTest, EveryAction) {
  Policy policy = MustParse(
      "arch x86_64\n"
      "allow read\nlog read\nerrno EACCES read\nerrno 4095 read\nkill read\nkill-process read\n"
      "kill-thread read\ntrap read\ntrap 65535 read\nnotify read\ntrace read\ntrace 9 read\n");
  const std::vector<Action> expected = {Action::Allow(),       Action::Log(),       Action::Errno(13),
                                        Action::Errno(4095),   Action::KillProcess(), Action::KillProcess(),
                                        Action::KillThread(),  Action::Trap(0),     Action::Trap(65535),
                                        Action::Notify(),      Action::Trace(0),    Action::Trace(9)};
  ASSERT_EQ(policy.rules.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(policy.rules[i].action, expected[i]) << i;
    EXPECT_EQ(policy.rules[i].targets, std::vector<std::string>{"read"});
    EXPECT_EQ(policy.rules[i].span.line, i + 2);
    EXPECT_EQ(policy.rules[i].span.column, 1u);
  }
}

TEST(ParserTest, TargetsGroupsAndArches) {
  Policy policy = MustParse("arch x86_64 x86\nallow read write @signal\nallow socketcall on x86\n");
  ASSERT_EQ(policy.rules.size(), 2u);
  EXPECT_EQ(policy.rules[0].targets, (std::vector<std::string>{"read", "write", "@signal"}));
  EXPECT_TRUE(policy.rules[0].only_arches.empty());
  EXPECT_EQ(policy.rules[1].only_arches, std::vector<Arch>{Arch::kX86});
}

// --- Conditions --------------------------------------------------------------------------------

TEST(ParserTest, EveryComparisonOperator) {
  const std::pair<std::string_view, CompareOp> cases[] = {
      {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
      {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
  for (const auto& [text, op] : cases) {
    Policy policy = MustParse(std::string(kHeader) + "allow kill if arg1 " + std::string(text) + " 9\n");
    ASSERT_EQ(policy.rules.size(), 1u);
    EXPECT_EQ(policy.rules[0].condition, Cmp(1, op, 9)) << text;
  }
}

TEST(ParserTest, NamedArgumentsResolveToIndexes) {
  Policy policy = MustParse(std::string(kHeader) + "allow ioctl if cmd == TCGETS\nallow kill if sig == 9\n");
  EXPECT_EQ(policy.rules[0].condition, Cmp(1, CompareOp::kEq, 0x5401));
  EXPECT_EQ(policy.rules[0].condition->compare.value_spelling, "TCGETS");
  EXPECT_EQ(policy.rules[1].condition, Cmp(1, CompareOp::kEq, 9));
}

TEST(ParserTest, NamedArgumentSharedByTargets) {
  // fd is arg0 of both read and write.
  Policy policy = MustParse(std::string(kHeader) + "allow read write if fd == 3\n");
  EXPECT_EQ(policy.rules[0].condition, Cmp(0, CompareOp::kEq, 3));
}

TEST(ParserTest, MaskedComparisons) {
  Policy policy = MustParse(std::string(kHeader) +
                            "allow mmap if (prot & PROT_EXEC) == 0\n"
                            "allow mmap if (prot & PROT_EXEC|PROT_WRITE) != 0x6\n");
  EXPECT_EQ(policy.rules[0].condition, Cmp(2, CompareOp::kMaskedEq, 0, 4));
  EXPECT_EQ(policy.rules[0].condition->compare.mask_spelling, "PROT_EXEC");
  // `!=` on a masked argument is the negation of the masked equality.
  EXPECT_EQ(policy.rules[1].condition, Node(Condition::Kind::kNot, {Cmp(2, CompareOp::kMaskedEq, 6, 6)}));
}

TEST(ParserTest, SetMembership) {
  Policy policy = MustParse(std::string(kHeader) +
                            "allow socket if family in {AF_INET, AF_INET6, AF_UNIX}\n"
                            "allow socket if family in {AF_UNIX}\n");
  EXPECT_EQ(policy.rules[0].condition,
            Node(Condition::Kind::kOr, {Cmp(0, CompareOp::kEq, 2), Cmp(0, CompareOp::kEq, 10), Cmp(0, CompareOp::kEq, 1)}));
  EXPECT_EQ(policy.rules[1].condition, Cmp(0, CompareOp::kEq, 1));
}

TEST(ParserTest, BooleanOperatorsPrecedenceAndParentheses) {
  Policy policy = MustParse(std::string(kHeader) +
                            "allow kill if pid == 1 || pid == 2 && sig == 3\n"
                            "allow kill if (pid == 1 || pid == 2) && !(sig == 3)\n"
                            "allow kill if pid == 1 && pid == 2 && sig == 3\n"
                            "allow kill if (pid == 1 && pid == 2) && sig == 3\n"
                            "allow kill if !!(pid == 1)\n");
  const Condition pid1 = Cmp(0, CompareOp::kEq, 1), pid2 = Cmp(0, CompareOp::kEq, 2), sig3 = Cmp(1, CompareOp::kEq, 3);
  EXPECT_EQ(policy.rules[0].condition,
            Node(Condition::Kind::kOr, {pid1, Node(Condition::Kind::kAnd, {pid2, sig3})}));
  EXPECT_EQ(policy.rules[1].condition,
            Node(Condition::Kind::kAnd, {Node(Condition::Kind::kOr, {pid1, pid2}), Node(Condition::Kind::kNot, {sig3})}));
  EXPECT_EQ(policy.rules[2].condition, Node(Condition::Kind::kAnd, {pid1, pid2, sig3}));
  // Parentheses keep their own node: printing then parsing gives back the same tree.
  EXPECT_EQ(policy.rules[3].condition,
            Node(Condition::Kind::kAnd, {Node(Condition::Kind::kAnd, {pid1, pid2}), sig3}));
  EXPECT_EQ(policy.rules[4].condition,
            Node(Condition::Kind::kNot, {Node(Condition::Kind::kNot, {pid1})}));
}

TEST(ParserTest, NumberForms) {
  Policy policy = MustParse(std::string(kHeader) +
                            "allow lseek if offset == 0x10 || offset == 010 || offset == 0b101 || offset == 0o17 "
                            "|| offset == -1 || offset == -9223372036854775808 || offset == 18446744073709551615\n");
  const Condition& any = *policy.rules[0].condition;
  ASSERT_EQ(any.children.size(), 7u);
  EXPECT_EQ(any.children[0].compare.value, 16u);
  EXPECT_EQ(any.children[1].compare.value, 8u);
  EXPECT_EQ(any.children[2].compare.value, 5u);
  EXPECT_EQ(any.children[3].compare.value, 15u);
  EXPECT_EQ(any.children[4].compare.value, ~uint64_t{0});
  EXPECT_EQ(any.children[5].compare.value, uint64_t{1} << 63);
  EXPECT_EQ(any.children[6].compare.value, ~uint64_t{0});
  EXPECT_EQ(any.children[4].compare.value_spelling, "-1");
}

TEST(ParserTest, ConstantsCombineWithBitOr) {
  Policy policy = MustParse(std::string(kHeader) + "allow mmap if prot == PROT_READ | PROT_WRITE | 0x8\n");
  EXPECT_EQ(policy.rules[0].condition->compare.value, 0xbu);
  EXPECT_EQ(policy.rules[0].condition->compare.value_spelling, "PROT_READ | PROT_WRITE | 0x8");
}

TEST(ParserTest, ThirtyTwoBitArgumentsAcceptNegativesAndLowHalf) {
  Policy policy = MustParse(std::string(kHeader) +
                            "allow read if fd == -1\nallow read if fd == 0xffffffff\n"
                            "allow read if fd == -2147483648\n");
  EXPECT_EQ(policy.rules[0].condition->compare.value, ~uint64_t{0});
  EXPECT_EQ(policy.rules[1].condition->compare.value, 0xffffffffu);
  EXPECT_EQ(policy.rules[2].condition->compare.value, 0xffffffff80000000u);
}

TEST(ParserTest, LineContinuation) {
  Policy policy = MustParse(std::string(kHeader) + "allow read \\\n  write \\   \n  if fd == 1\n");
  ASSERT_EQ(policy.rules.size(), 1u);
  EXPECT_EQ(policy.rules[0].targets, (std::vector<std::string>{"read", "write"}));
  EXPECT_TRUE(policy.rules[0].condition.has_value());
}

// --- Comments ----------------------------------------------------------------------------------

TEST(ParserTest, CommentsAttachToTheNextRule) {
  Policy policy = MustParse(
      "# web policy\n# second line\n\narch x86_64   # abis\ndefault errno EPERM\n\n"
      "# reads\n#\n# more\nallow read  # trailing\nallow write\n# loose\n\nallow close\n"
      "# for fs\nfs read /etc\nnet bind tcp 80   # http\n# end of file\n");
  EXPECT_EQ(policy.comment, "web policy\nsecond line\nabis");
  ASSERT_EQ(policy.rules.size(), 3u);
  EXPECT_EQ(policy.rules[0].comment, "reads\n\nmore\ntrailing");
  EXPECT_EQ(policy.rules[1].comment, "");
  EXPECT_EQ(policy.rules[2].comment, "loose");
  EXPECT_EQ(policy.fs_rules[0].comment, "for fs");
  EXPECT_EQ(policy.net_rules[0].comment, "http");
}

// --- fs and net --------------------------------------------------------------------------------

TEST(ParserTest, FsRules) {
  Policy policy = MustParse(std::string(kHeader) +
                            "fs read /etc /usr\nfs write \"/tmp/my dir\"\nfs exec read-file /bin\n"
                            "fs write-file truncate make-char ioctl-dev /dev/x\n");
  ASSERT_EQ(policy.fs_rules.size(), 4u);
  EXPECT_EQ(policy.fs_rules[0].access, uint32_t{kFsReadFile | kFsReadDir});
  EXPECT_EQ(policy.fs_rules[0].paths, (std::vector<std::string>{"/etc", "/usr"}));
  EXPECT_NE(policy.fs_rules[1].access & kFsTruncate, 0u) << "write includes truncate";
  EXPECT_NE(policy.fs_rules[1].access & kFsWriteFile, 0u);
  EXPECT_EQ(policy.fs_rules[1].access & (kFsMakeChar | kFsMakeBlock | kFsExecute | kFsIoctlDev), 0u);
  EXPECT_EQ(policy.fs_rules[1].paths, std::vector<std::string>{"/tmp/my dir"});
  EXPECT_EQ(policy.fs_rules[2].access, uint32_t{kFsExecute | kFsReadFile});
  EXPECT_EQ(policy.fs_rules[3].access, uint32_t{kFsWriteFile | kFsTruncate | kFsMakeChar | kFsIoctlDev});
}

TEST(ParserTest, NetRules) {
  Policy policy = MustParse(std::string(kHeader) + "net bind tcp 8080 0\nnet connect tcp 65535\n");
  ASSERT_EQ(policy.net_rules.size(), 3u);
  EXPECT_EQ(policy.net_rules[0].kind, NetRule::Kind::kBind);
  EXPECT_EQ(policy.net_rules[0].port, 8080);
  EXPECT_EQ(policy.net_rules[1].port, 0);
  EXPECT_EQ(policy.net_rules[2].kind, NetRule::Kind::kConnect);
  EXPECT_EQ(policy.net_rules[2].port, 65535);
}

// --- Includes ----------------------------------------------------------------------------------

TEST(ParserTest, IncludesExpandInPlace) {
  Policy policy = MustParse("arch x86_64\nallow read\ninclude \"mid.sfp\"\nallow close\n",
                            {{"mid.sfp", "allow write\ninclude \"leaf.sfp\"\n"}, {"leaf.sfp", "kill ptrace\n"}});
  ASSERT_EQ(policy.rules.size(), 4u);
  EXPECT_EQ(policy.rules[0].targets[0], "read");
  EXPECT_EQ(policy.rules[1].targets[0], "write");
  EXPECT_EQ(policy.rules[1].span.file, "mid.sfp");
  EXPECT_EQ(policy.rules[2].targets[0], "ptrace");
  EXPECT_EQ(policy.rules[2].span.file, "leaf.sfp");
  EXPECT_EQ(policy.rules[3].targets[0], "close");
}

TEST(ParserTest, IncludesFromDiskAreRelativeToTheIncludingFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sysfence-parser-test";
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "top.sfp") << "arch x86_64\ninclude \"sub/a.sfp\"\n";
  std::ofstream(dir / "sub" / "a.sfp") << "allow read\ninclude \"b.sfp\"\n";
  std::ofstream(dir / "sub" / "b.sfp") << "allow write\n";
  Diagnostics diagnostics;
  std::map<std::string, std::string> sources;
  ParseOptions options;
  options.sources = &sources;
  const std::string top = (dir / "top.sfp").string();
  std::optional<Policy> policy = ParsePolicy("arch x86_64\ninclude \"sub/a.sfp\"\n", top, diagnostics, options);
  ASSERT_TRUE(policy) << Show(diagnostics);
  ASSERT_EQ(policy->rules.size(), 2u);
  EXPECT_EQ(policy->rules[1].span.file, (dir / "sub" / "b.sfp").string());
  EXPECT_EQ(sources.size(), 3u);
  // A missing file is reported at the include's file name.
  Diagnostics missing;
  EXPECT_FALSE(ParsePolicy("arch x86_64\ninclude \"nope.sfp\"\n", top, missing));
  EXPECT_EQ(Show(missing), top + ":2:9: error: cannot include 'nope.sfp': no such file '" +
                               (dir / "nope.sfp").string() + "'\n");
  std::filesystem::remove_all(dir);
}

// --- Errors: each with its exact location and message -------------------------------------------

TEST(ParserErrorTest, UnknownNamesWithSuggestions) {
  EXPECT_EQ(Errors("arch x86_64\nallow reed\n"),
            "test.sfp:2:7: error: unknown syscall 'reed' [did you mean 'read'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow @signals\n"),
            "test.sfp:2:7: error: unknown group '@signals' [did you mean '@signal'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow ioctl if cmd == TIOCSTII\n"),
            "test.sfp:2:23: error: unknown constant 'TIOCSTII' [did you mean 'TIOCSTI'?]\n");
  EXPECT_EQ(Errors("arch x86_46\n"), "test.sfp:1:6: error: unknown ABI 'x86_46' [did you mean 'x86_64'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nalow read\n"),
            "test.sfp:2:1: error: unknown statement 'alow' [did you mean 'allow'?]\n");
  EXPECT_EQ(Errors("arch x86_64\ndefault alow\n"),
            "test.sfp:2:9: error: unknown action 'alow' [did you mean 'allow'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nerrno EPREM read\n"),
            "test.sfp:2:7: error: unknown errno 'EPREM' [did you mean 'EPERM'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nread\n"),
            "test.sfp:2:1: error: unknown statement 'read' [a rule starts with its action: 'allow read']\n");
  EXPECT_EQ(Errors("arch x86_64\nallow network-io\n"),
            "test.sfp:2:7: error: unknown syscall 'network-io' [did you mean the group '@network-io'?]\n");
}

TEST(ParserErrorTest, ArgumentProblems) {
  EXPECT_EQ(Errors("arch x86_64\nallow mmap if arg6 == 1\n"),
            "test.sfp:2:15: error: argument index 6 is out of range: seccomp sees arg0..arg5 only\n");
  EXPECT_EQ(Errors("arch x86_64\nallow openat if filename == 0\n"),
            "test.sfp:2:17: error: argument 'filename' (arg1) of openat is a pointer: a filter sees only the "
            "address, not the data it points to [restrict paths with 'fs' rules (Landlock) instead]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if arg1 == 0\n"),
            "test.sfp:2:15: error: argument 'buf' (arg1) of read is a pointer: a filter sees only the address, not "
            "the data it points to [restrict paths with 'fs' rules (Landlock) instead]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if arg3 == 0\n"),
            "test.sfp:2:15: error: read has only 3 arguments (arg0..arg2) [read has: fd, buf, count]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if flags == 0\n"),
            "test.sfp:2:15: error: 'flags' is not an argument of read [read has: fd, buf, count (or use "
            "arg0..arg5)]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow kill ioctl if cmd == 1\n"),
            "test.sfp:2:21: error: 'cmd' is not an argument of kill [kill has: pid, sig (or use arg0..arg5)]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow lseek copy_file_range if fd_in == 1\n"),
            "test.sfp:2:32: error: 'fd_in' is not an argument of lseek [lseek has: fd, offset, whence (or use "
            "arg0..arg5)]\n");
}

TEST(ParserErrorTest, NamedArgumentAtDifferentPositions) {
  // `flags` is arg2 of openat but arg5 of copy_file_range.
  EXPECT_EQ(Errors("arch x86_64\nallow openat copy_file_range if flags == 0\n"),
            "test.sfp:2:33: error: argument 'flags' is arg5 of copy_file_range but arg2 of openat [split the "
            "rule, or name the argument by position (arg0..arg5)]\n");
}

TEST(ParserErrorTest, ValuesMustFitThirtyTwoBitArguments) {
  EXPECT_EQ(Errors("arch x86_64\nallow ioctl if cmd == 0x100005412\n"),
            "test.sfp:2:23: error: value 0x100005412 does not fit the 32-bit argument 'cmd' [a 32-bit argument "
            "takes 0..0xffffffff or a negative number down to -2147483648; the kernel ignores its upper half]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd == -2147483649\n"),
            "test.sfp:2:21: error: value 0xffffffff7fffffff does not fit the 32-bit argument 'fd' [a 32-bit "
            "argument takes 0..0xffffffff or a negative number down to -2147483648; the kernel ignores its upper "
            "half]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow ioctl if (cmd & 0xff00000000) == 0\n"),
            "test.sfp:2:23: error: mask 0xff00000000 does not fit the 32-bit argument 'cmd' [a 32-bit argument "
            "takes 0..0xffffffff or a negative number down to -2147483648; the kernel ignores its upper half]\n");
  // On a 64-bit argument the same value is fine, unless a 32-bit ABI is listed too.
  EXPECT_EQ(Errors("arch x86_64\nallow lseek if offset == 0x100000000\n"), "");
  EXPECT_EQ(Errors("arch x86_64 x86\nallow lseek if offset == 0x100000000\n"),
            "test.sfp:2:26: error: value 0x100000000 does not fit the 32-bit argument 'offset' [a 32-bit "
            "argument takes 0..0xffffffff or a negative number down to -2147483648; the kernel ignores its upper "
            "half]\n");
  EXPECT_EQ(Errors("arch x86_64 x86\nallow lseek on x86_64 if offset == 0x100000000\n"), "");
}

TEST(ParserErrorTest, ErrnoRange) {
  EXPECT_EQ(Errors("arch x86_64\nerrno 0 read\n"),
            "test.sfp:2:7: error: errno 0 is out of range 1..4095 [use an errno name such as EPERM or ENOSYS, or "
            "a number from 1 to 4095]\n");
  EXPECT_EQ(Errors("arch x86_64\ndefault errno 4096\n"),
            "test.sfp:2:15: error: errno 4096 is out of range 1..4095 [use an errno name such as EPERM or ENOSYS, "
            "or a number from 1 to 4095]\n");
  EXPECT_EQ(Errors("arch x86_64\nerrno -1 read\n"),
            "test.sfp:2:7: error: errno -1 is out of range 1..4095 [use an errno name such as EPERM or ENOSYS, or "
            "a number from 1 to 4095]\n");
  EXPECT_EQ(Errors("arch x86_64\nerrno\n"),
            "test.sfp:2:6: error: 'errno' needs an errno name or number, e.g. 'errno EPERM'\n");
  EXPECT_EQ(Errors("arch x86_64\ntrap 65536 read\n"), "test.sfp:2:6: error: 'trap' data 65536 is out of range 0..65535\n");
}

TEST(ParserErrorTest, Includes) {
  EXPECT_EQ(Errors("arch x86_64\ninclude \"a.sfp\"\n", {{"a.sfp", "include \"b.sfp\"\n"}, {"b.sfp", "include \"a.sfp\"\n"}}),
            "b.sfp:1:9: error: include cycle: a.sfp -> b.sfp -> a.sfp\n");
  EXPECT_EQ(Errors("arch x86_64\ninclude \"test.sfp\"\n"), "test.sfp:2:9: error: cannot include 'test.sfp': no such file\n");
  EXPECT_EQ(Errors("arch x86_64\ninclude \"test.sfp\"\n", {{"test.sfp", "allow read\n"}}),
            "test.sfp:2:9: error: include cycle: test.sfp -> test.sfp\n");
  EXPECT_EQ(Errors("arch x86_64\ninclude \"missing.sfp\"\n"),
            "test.sfp:2:9: error: cannot include 'missing.sfp': no such file\n");
  EXPECT_EQ(Errors("arch x86_64\ninclude runtime.sfp\n"),
            "test.sfp:2:9: error: 'include' needs a quoted file name, e.g. include \"runtime.sfp\" [write include "
            "\"runtime.sfp\"]\n");
  // An endless chain of distinct files stops at the depth limit.
  std::map<std::string, std::string> chain;
  for (int i = 0; i < 40; ++i) chain["f" + std::to_string(i)] = "include \"f" + std::to_string(i + 1) + "\"\n";
  EXPECT_EQ(Errors("arch x86_64\ninclude \"f0\"\n", chain),
            "f15:1:9: error: includes nested too deeply (more than 16 levels)\n");
  // Errors inside included files name that file.
  EXPECT_EQ(Errors("arch x86_64\ninclude \"x.sfp\"\n", {{"x.sfp", "\nallow reed\n"}}),
            "x.sfp:2:7: error: unknown syscall 'reed' [did you mean 'read'?]\n");
}

TEST(ParserErrorTest, HeaderProblems) {
  EXPECT_EQ(Errors("allow read\n"),
            "test.sfp:1:1: error: the policy has no 'arch' statement [add one naming the ABIs the filter accepts, "
            "e.g. 'arch x86_64']\n");
  EXPECT_EQ(Errors("arch x86_64\narch x86\n"), "test.sfp:2:1: error: 'arch' appears twice [the first is at test.sfp:1:1]\n");
  EXPECT_EQ(Errors("arch x86_64\ndefault allow\ndefault kill\n"),
            "test.sfp:3:1: error: 'default' appears twice [the first is at test.sfp:2:1]\n");
  EXPECT_EQ(Errors("arch x86_64 x86_64\n"), "test.sfp:1:13: error: ABI x86_64 is listed twice\n");
  EXPECT_EQ(Errors("arch\n"), "test.sfp:1:5: error: 'arch' needs at least one ABI, e.g. 'arch x86_64'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow socketcall on x86\n"),
            "test.sfp:2:21: error: ABI x86 is not one of the policy's ABIs [add it to the 'arch' statement]\n");
  EXPECT_EQ(Errors("arch x86_64\ndefault\n"), "test.sfp:2:8: error: 'default' needs an action, e.g. 'default errno EPERM'\n");
}

TEST(ParserErrorTest, SyntaxProblems) {
  EXPECT_EQ(Errors("arch x86_64\nallow\n"), "test.sfp:2:6: error: 'allow' needs at least one syscall or @group, e.g. 'allow read'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if\n"), "test.sfp:2:14: error: 'if' needs a condition, e.g. 'if arg0 == 1'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd == 1 fd\n"),
            "test.sfp:2:23: error: unexpected 'fd': expected end of line\n");
  EXPECT_EQ(Errors("arch x86_64\nallow mmap if prot & 4 == 0\n"),
            "test.sfp:2:20: error: expected a comparison (== != < <= > >= in) after 'prot', found '&' [a masked test "
            "needs parentheses: '(prot & MASK) == VALUE']\n");
  EXPECT_EQ(Errors("arch x86_64\nallow mmap if (prot & 4) < 1\n"),
            "test.sfp:2:26: error: a masked argument must be compared with '==' or '!=', found '<' [write '(x & "
            "MASK) == VALUE']\n");
  EXPECT_EQ(Errors("arch x86_64\nallow socket if family in {}\n"),
            "test.sfp:2:27: error: empty set: 'in' needs at least one value\n");
  EXPECT_EQ(Errors("arch x86_64\nallow socket if family in {1 2}\n"),
            "test.sfp:2:30: error: expected ',' or '}' in the set, found '2'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if (fd == 1\n"), "test.sfp:2:23: error: expected ')', found end of line\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd = 1\n"), "test.sfp:2:18: error: unexpected '=': comparisons use '=='\n");
  EXPECT_EQ(Errors("arch x86_64\nallow 12\n"),
            "test.sfp:2:7: error: expected a syscall name or @group, found '12' [rules name syscalls, not numbers]\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd == \n"),
            "test.sfp:2:21: error: expected a value (a number or a constant), found end of line\n");
  EXPECT_EQ(Errors("arch x86_64\n@signal\n"),
            "test.sfp:2:1: error: expected a statement, found '@signal' [a rule starts with its action: 'allow "
            "@signal']\n");
}

TEST(ParserErrorTest, LexicalProblems) {
  EXPECT_EQ(Errors("arch x86_64\ninclude \"a.sfp\n"), "test.sfp:2:9: error: unterminated string: missing closing '\"'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read \\ write\n"),
            "test.sfp:2:12: error: stray '\\': a backslash continues a statement only at the end of a line\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read; allow write\n"), "test.sfp:2:11: error: unexpected character ';'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd == 0x\n"), "test.sfp:2:21: error: invalid number '0x'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow read if fd == 09\n"), "test.sfp:2:21: error: invalid number '09'\n");
  EXPECT_EQ(Errors("arch x86_64\nallow lseek if offset == 18446744073709551616\n"),
            "test.sfp:2:26: error: number '18446744073709551616' does not fit in 64 bits\n");
  EXPECT_EQ(Errors("arch x86_64\nallow lseek if offset == -9223372036854775809\n"),
            "test.sfp:2:26: error: number -9223372036854775809 is below -2^63\n");
}

TEST(ParserErrorTest, FsAndNetProblems) {
  EXPECT_EQ(Errors("arch x86_64\nfs raed /etc\n"), "test.sfp:2:4: error: unknown access right 'raed' [did you mean 'read'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nfs read etc\n"),
            "test.sfp:2:9: error: unknown access right 'etc' [paths are absolute: '/etc']\n");
  EXPECT_EQ(Errors("arch x86_64\nfs read \"etc\"\n"),
            "test.sfp:2:9: error: path \"etc\" is not absolute [fs paths start with '/']\n");
  EXPECT_EQ(Errors("arch x86_64\nfs read\n"), "test.sfp:2:8: error: 'fs' needs at least one path, e.g. 'fs read /etc'\n");
  EXPECT_EQ(Errors("arch x86_64\nfs /etc\n"),
            "test.sfp:2:4: error: 'fs' needs an access right before its paths, e.g. 'fs read /etc'\n");
  EXPECT_EQ(Errors("arch x86_64\nfs read /etc write\n"),
            "test.sfp:2:14: error: expected an absolute path, found 'write' [access rights come before the paths]\n");
  EXPECT_EQ(Errors("arch x86_64\nnet bind tcp 65536\n"), "test.sfp:2:14: error: port 65536 is out of range 0..65535\n");
  EXPECT_EQ(Errors("arch x86_64\nnet bind udp 53\n"),
            "test.sfp:2:10: error: expected 'tcp', found 'udp' [Landlock restricts TCP ports only]\n");
  EXPECT_EQ(Errors("arch x86_64\nnet bnid tcp 53\n"),
            "test.sfp:2:5: error: expected 'bind' or 'connect' after 'net', found 'bnid' [did you mean 'bind'?]\n");
  EXPECT_EQ(Errors("arch x86_64\nnet bind tcp\n"), "test.sfp:2:13: error: 'net' needs at least one port, e.g. 'net connect tcp 443'\n");
}

TEST(ParserErrorTest, ConditionDepthIsLimited) {
  std::string deep = "arch x86_64\nallow read if ";
  for (int i = 0; i < 5000; ++i) deep += "(";
  deep += "fd == 1\n";
  EXPECT_EQ(Errors(deep), "test.sfp:2:116: error: condition nested too deeply (more than 100 levels)\n");
  std::string bangs = "arch x86_64\nallow read if ";
  for (int i = 0; i < 5000; ++i) bangs += "!";
  bangs += "fd == 1\n";
  EXPECT_NE(Errors(bangs).find("nested too deeply"), std::string::npos);
}

TEST(ParserErrorTest, AllErrorsInOnePass) {
  EXPECT_EQ(Errors("arch x86_64\nallow reed\nerrno 0 write\nallow read if arg7 == 1\nfs read etc2\n"),
            "test.sfp:2:7: error: unknown syscall 'reed' [did you mean 'read'?]\n"
            "test.sfp:3:7: error: errno 0 is out of range 1..4095 [use an errno name such as EPERM or ENOSYS, or a "
            "number from 1 to 4095]\n"
            "test.sfp:4:15: error: argument index 7 is out of range: seccomp sees arg0..arg5 only\n"
            "test.sfp:5:9: error: unknown access right 'etc2' [paths are absolute: '/etc2']\n");
}

TEST(ParserErrorTest, BinaryGarbageNeverCrashes) {
  std::string garbage;
  for (int i = 0; i < 2000; ++i) garbage += static_cast<char>((i * 7919) % 256);
  testing::Parsed parsed = Parse(garbage);
  EXPECT_FALSE(parsed.policy.has_value());
  EXPECT_TRUE(parsed.diagnostics.HasErrors());
}

}  // namespace
}  // namespace sysfence::policy
