// SPDX-License-Identifier: Apache-2.0
// The table of argument meanings: what the recorder keeps per ABI, and how values are named (one
// name per constant, flag sets with the rest in hex, clone's exit signal, options by level).
#include "syscalls/arg_meanings.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sysfence::syscalls {
namespace {

ArgMeaning Meaning(std::string_view syscall, std::string_view arg) {
  const std::optional<ArgMeaning> meaning = TableMeaningOf(syscall, arg);
  EXPECT_TRUE(meaning.has_value()) << syscall << " " << arg;
  return meaning.value_or(ArgMeaning{});
}

TEST(ArgMeaningsTest, EveryEntryNamesAnArgumentAndAFamilyThatExist) {
  for (const NamedArgMeaning& entry : AllArgMeanings()) {
    const auto signature = ArgsOf(entry.syscall);
    EXPECT_TRUE(std::any_of(signature.begin(), signature.end(),
                            [&](const ArgInfo& arg) { return arg.name == entry.arg; }))
        << entry.syscall << " has no argument " << entry.arg;
    if (!entry.meaning.family.empty()) {
      const auto constants = AllConstants();
      EXPECT_TRUE(std::any_of(constants.begin(), constants.end(),
                              [&](const Constant& c) { return c.family == entry.meaning.family; }))
          << entry.meaning.family;
    }
    if (!entry.meaning.depends_on.empty()) {
      EXPECT_TRUE(TableMeaningOf(entry.syscall, entry.meaning.depends_on).has_value()) << entry.syscall;
    }
    EXPECT_TRUE(entry.meaning.recorded || !entry.meaning.condition) << entry.syscall << " " << entry.arg;
  }
}

// Events suggest `allow NAME if ARG == CONSTANT` for the arguments that key what a call does.
TEST(ArgMeaningsTest, SuggestionKeysAreSingleConstants) {
  EXPECT_TRUE(Meaning("socket", "family").suggestion_key);
  EXPECT_TRUE(Meaning("ioctl", "cmd").suggestion_key);
  EXPECT_TRUE(Meaning("prctl", "option").suggestion_key);
  EXPECT_FALSE(Meaning("rt_sigaction", "sig").suggestion_key);  // a rule per signal is needlessly narrow
  EXPECT_FALSE(Meaning("mmap", "prot").suggestion_key);
  for (const NamedArgMeaning& entry : AllArgMeanings()) {
    if (entry.meaning.suggestion_key) {
      EXPECT_EQ(entry.meaning.role, ArgRole::kEnum) << entry.syscall;
    }
  }
}

TEST(ArgMeaningsTest, NamesValuesWithConstants) {
  EXPECT_EQ(DescribeArgValue(Meaning("socket", "family"), 2), "AF_INET");
  EXPECT_EQ(DescribeArgValue(Meaning("mmap", "prot"), 3), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(DescribeArgValue(ArgMeaning{}, 255), "0xff");
  // clone's low byte is the exit signal, not flag bits.
  EXPECT_EQ(DescribeArgValue(Meaning("clone", "clone_flags"), 0x1200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(DescribeArgValue(Meaning("clone", "clone_flags"), 0x11), "SIGCHLD");
  EXPECT_EQ(RecordedArgMask(Arch::kX86_64, "socket"), 0b111);
  EXPECT_EQ(RecordedArgMask(Arch::kX86_64, "read"), 0);
}

// Positions come from each ABI's own signature: the table names arguments, not x86_64 indexes.
TEST(ArgMeaningsTest, RecordedPositionsFollowEachAbi) {
  EXPECT_EQ(RecordedArgMask(Arch::kX86_64, "clone"), 0b1);
  EXPECT_EQ(RecordedArgMask(Arch::kS390x, "clone"), 0b10);  // the stack comes first there
  EXPECT_EQ(RecordedArgMask(Arch::kX86_64, "mmap"), 0b1100);
  EXPECT_EQ(RecordedArgMask(Arch::kX86, "mmap"), 0);  // old_mmap: one pointer to a struct
  const std::vector<RecordedArg> s390x = RecordedArgsOn(Arch::kS390x, "clone");
  ASSERT_EQ(s390x.size(), 1u);
  EXPECT_EQ(s390x[0].index, 1);
  EXPECT_EQ(s390x[0].name, "clone_flags");
  EXPECT_TRUE(s390x[0].meaning.condition);
}

TEST(ArgMeaningsTest, OneNamePerConstant) {
  EXPECT_EQ(ConstantName("AF", 1), "AF_UNIX");  // never AF_FILE or AF_LOCAL
  EXPECT_EQ(ConstantName("AF", 16), "AF_NETLINK");  // never AF_ROUTE
  EXPECT_EQ(ConstantName("SIG", 17), "SIGCHLD");  // never SIGCLD
  EXPECT_EQ(ConstantName("SIG", 6), "SIGABRT");
  EXPECT_EQ(ConstantName("ioctl", 0x541b), "FIONREAD");
  EXPECT_EQ(ConstantName("SECCOMP", 1, "SECCOMP_SET_MODE_|SECCOMP_GET_"), "SECCOMP_SET_MODE_FILTER");
  EXPECT_FALSE(ConstantName("AF", 12345).has_value());
  EXPECT_EQ(DescribeArgValue(Meaning("socketpair", "family"), 1), "AF_UNIX");
}

TEST(ArgMeaningsTest, SocketOptionsAreNamedByTheirLevel) {
  const ArgMeaning option = Meaning("setsockopt", "optname");
  EXPECT_EQ(NameArgValue(option, 1, 1), "SO_DEBUG");     // SOL_SOCKET
  EXPECT_EQ(NameArgValue(option, 1, 6), "TCP_NODELAY");  // SOL_TCP / IPPROTO_TCP
  EXPECT_EQ(NameArgValue(option, 1, 0), "IP_TOS");
  EXPECT_EQ(NameArgValue(option, 26, 41), "IPV6_V6ONLY");
  EXPECT_EQ(NameArgValue(Meaning("getsockopt", "optname"), 11, 6), "TCP_INFO");
  // An unknown level or none at all names nothing (rather than guessing SO_*).
  EXPECT_FALSE(NameArgValue(option, 1, 0x999).has_value());
  EXPECT_FALSE(NameArgValue(option, 1).has_value());
  EXPECT_EQ(DescribeArgValue(option, 1), "0x1");
  const ArgMeaning level = Meaning("setsockopt", "level");
  EXPECT_EQ(NameArgValue(level, 1), "SOL_SOCKET");
  EXPECT_EQ(NameArgValue(level, 6), "SOL_TCP");
  EXPECT_EQ(NameArgValue(level, 41), "SOL_IPV6");
  // socket's protocol is an IPPROTO_* only for the IP families.
  const ArgMeaning protocol = Meaning("socket", "protocol");
  EXPECT_EQ(NameArgValue(protocol, 6, 2), "IPPROTO_TCP");
  EXPECT_FALSE(NameArgValue(protocol, 0, 16).has_value());  // AF_NETLINK's NETLINK_ROUTE
}

TEST(ArgMeaningsTest, FlagSetsAreNamesWithTheRestInHex) {
  const ArgMeaning open_flags = Meaning("openat", "flags");
  EXPECT_EQ(NameArgValue(open_flags, 0x80241), "O_WRONLY|O_CLOEXEC|O_CREAT|O_TRUNC");
  EXPECT_EQ(NameArgValue(open_flags, 0), "O_RDONLY");
  EXPECT_EQ(NameArgValue(open_flags, 0x101000), "O_RDONLY|O_SYNC");  // not O_DSYNC|0x100000
  EXPECT_EQ(NameArgValue(open_flags, 0x3), "0x3");          // no access mode is 3
  EXPECT_EQ(NameArgValue(Meaning("mmap", "flags"), 0x22), "MAP_ANONYMOUS|MAP_PRIVATE");
  EXPECT_EQ(NameArgValue(Meaning("mmap", "prot"), 0x1 | 0x100000), "PROT_READ|0x100000");
  EXPECT_EQ(NameArgValue(Meaning("mmap", "prot"), 0), "PROT_NONE");
  // socket's type: one SOCK_* type in the low bits, flags above (in events and recordings alike).
  const ArgMeaning type = Meaning("socket", "type");
  EXPECT_EQ(NameArgValue(type, 0x80801), "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
  EXPECT_EQ(NameArgValue(type, 0x3), "SOCK_RAW");  // not SOCK_STREAM|SOCK_DGRAM
  EXPECT_EQ(NameArgValue(type, 0x80802 | 0x100000), "SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK|0x100000");
  EXPECT_EQ(NameArgValue(Meaning("accept4", "flags"), 0x801), "SOCK_NONBLOCK|0x1");  // no types there
  EXPECT_EQ(NameArgValue(Meaning("pipe2", "flags"), 0), "0");
  EXPECT_EQ(NameArgValue(Meaning("getrandom", "flags"), 0x1), "GRND_NONBLOCK");
}

TEST(ArgMeaningsTest, CloneFlagsCarryTheExitSignal) {
  const ArgMeaning clone = Meaning("clone", "clone_flags");
  EXPECT_EQ(NameArgValue(clone, 0x1200000 | 17), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(NameArgValue(clone, 0x3d0f00),  // pthread_create: no exit signal
            "CLONE_CHILD_CLEARTID|CLONE_FILES|CLONE_FS|CLONE_PARENT_SETTID|CLONE_SETTLS|CLONE_SIGHAND|"
            "CLONE_SYSVSEM|CLONE_THREAD|CLONE_VM");
  EXPECT_EQ(NameArgValue(clone, 0x100 | 0x7f), "CLONE_VM|0x7f");  // no signal 127
  EXPECT_EQ(NameArgValue(clone, 0), "0");
  // unshare has no exit signal: 0x80 is CLONE_NEWTIME there.
  EXPECT_EQ(NameArgValue(Meaning("unshare", "unshare_flags"), 0x80), "CLONE_NEWTIME");
}

TEST(ArgMeaningsTest, SignalsAndPlainArguments) {
  EXPECT_EQ(NameArgValue(Meaning("kill", "sig"), 15), "SIGTERM");
  EXPECT_EQ(NameArgValue(Meaning("tgkill", "sig"), 17), "SIGCHLD");
  EXPECT_FALSE(NameArgValue(Meaning("kill", "sig"), 0).has_value());
  const auto read = ArgsOf("read");
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(MeaningOf("read", read[0]).role, ArgRole::kFd);
  EXPECT_EQ(MeaningOf("read", read[1]).role, ArgRole::kPointer);
  EXPECT_EQ(MeaningOf("read", read[2]).role, ArgRole::kNumber);
  const auto openat = ArgsOf("openat");
  EXPECT_EQ(MeaningOf("openat", openat[1]).role, ArgRole::kPath);
}

}  // namespace
}  // namespace sysfence::syscalls
