// SPDX-License-Identifier: Apache-2.0
#include "run/arg_decoder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sysfence::run {
namespace {

TEST(ArgDecoderTest, NamesConstantsFlagsAndFds) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const DecodeContext self{getpid(), true, true};
  {
    const uint64_t args[6] = {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0, 0, 0, 0};
    const auto decoded = DecodeArgs(Arch::kX86_64, "socket", args, self);
    ASSERT_EQ(decoded.size(), 3u);
    EXPECT_EQ(decoded[0].name, "family");
    EXPECT_EQ(decoded[0].kind, DecodedArg::Kind::kConstant);
    EXPECT_EQ(decoded[0].text, "AF_NETLINK");
    EXPECT_EQ(decoded[1].kind, DecodedArg::Kind::kFlags);
    EXPECT_NE(decoded[1].text.find("SOCK_CLOEXEC"), std::string::npos) << decoded[1].text;
    EXPECT_NE(decoded[1].text.find("SOCK_RAW"), std::string::npos) << decoded[1].text;
  }
  {
    const uint64_t args[6] = {static_cast<uint64_t>(fd), 0, 16, 0, 0, 0};
    const auto decoded = DecodeArgs(Arch::kX86_64, "read", args, self);
    EXPECT_EQ(decoded[0].kind, DecodedArg::Kind::kFd);
    EXPECT_EQ(decoded[0].text, "/dev/null");
    EXPECT_EQ(decoded[1].kind, DecodedArg::Kind::kPointer);
    EXPECT_EQ(decoded[2].kind, DecodedArg::Kind::kNumber);
  }
  close(fd);
}

TEST(ArgDecoderTest, ReadsPathsFromMemoryAndAtFdcwd) {
  static const char kPath[] = "/etc/hostname";
  const uint64_t args[6] = {static_cast<uint64_t>(-100), reinterpret_cast<uint64_t>(kPath), O_RDONLY | O_CLOEXEC,
                            0, 0, 0};
  const auto decoded = DecodeArgs(Arch::kX86_64, "openat", args, DecodeContext{getpid(), true, true});
  ASSERT_GE(decoded.size(), 3u);
  EXPECT_EQ(decoded[0].text, "AT_FDCWD");
  EXPECT_EQ(decoded[1].kind, DecodedArg::Kind::kPath);
  EXPECT_EQ(decoded[1].text, kPath);
  EXPECT_EQ(decoded[2].text, "O_RDONLY|O_CLOEXEC");
  // Without memory reads the pointer stays a pointer.
  const auto blind = DecodeArgs(Arch::kX86_64, "openat", args, DecodeContext{getpid(), false, false});
  EXPECT_EQ(blind[1].kind, DecodedArg::Kind::kPointer);
}

TEST(ArgDecoderTest, ThirtyTwoBitArgumentsAreTheLowHalf) {
  const uint64_t args[6] = {0, 0x5412 | (uint64_t{1} << 32), 0, 0, 0, 0};  // TIOCSTI with high bits
  const auto decoded = DecodeArgs(Arch::kX86_64, "ioctl", args, DecodeContext{0, false, false});
  EXPECT_EQ(decoded[1].value, 0x5412u);
  EXPECT_EQ(decoded[1].text, "TIOCSTI");
}

// Events name arguments by the ABI's own signature, at the width the kernel reads them.
TEST(ArgDecoderTest, EachAbiUsesItsOwnSignatureAndWidths) {
  const uint64_t clone_args[6] = {0x100, 0x11, 0, 0, 0, 0};
  const auto s390x = DecodeArgs(Arch::kS390x, "clone", clone_args, DecodeContext{0, false, false});
  ASSERT_GE(s390x.size(), 2u);
  EXPECT_EQ(s390x[1].name, "clone_flags");  // s390x passes newsp first
  EXPECT_EQ(s390x[1].value, 0x11u);
  const auto x86_64 = DecodeArgs(Arch::kX86_64, "clone", clone_args, DecodeContext{0, false, false});
  ASSERT_GE(x86_64.size(), 1u);
  EXPECT_EQ(x86_64[0].name, "clone_flags");

  const uint64_t chmod_args[6] = {0xffffff9c, 0x1000, 0x109ed, 0, 0, 0};
  const auto fchmodat = DecodeArgs(Arch::kX86_64, "fchmodat", chmod_args, DecodeContext{0, false, false});
  ASSERT_GE(fchmodat.size(), 3u);
  EXPECT_EQ(fchmodat[2].value, 04755u);  // umode_t: the kernel reads 16 bits
}

TEST(ArgDecoderTest, ZeroArgumentSyscallsShowNoArguments) {
  const uint64_t junk[6] = {0x559969c6c05e, 6, 63, 0, 0x7f85278196d0, 0};  // whatever the registers held
  EXPECT_TRUE(DecodeArgs(Arch::kX86_64, "getpid", junk, DecodeContext{0, false, false}).empty());
  EXPECT_TRUE(DecodeArgs(Arch::kX86, "getppid", junk, DecodeContext{0, false, false}).empty());
}

// The 32-bit ABIs' own syscalls show their own arity too (getuid32 takes none, fstat64 two).
TEST(ArgDecoderTest, ThirtyTwoBitOnlySyscallsShowTheirOwnArity) {
  const uint64_t junk[6] = {3, 0xffd0, 63, 0, 0x7f85278196d0, 0};
  EXPECT_TRUE(DecodeArgs(Arch::kX86, "getuid32", junk, DecodeContext{0, false, false}).empty());
  EXPECT_TRUE(DecodeArgs(Arch::kArm, "sigreturn", junk, DecodeContext{0, false, false}).empty());
  const auto fstat64 = DecodeArgs(Arch::kX86, "fstat64", junk, DecodeContext{0, false, false});
  ASSERT_EQ(fstat64.size(), 2u);
  EXPECT_EQ(fstat64[0].name, "fd");
  const auto mmap2 = DecodeArgs(Arch::kX86, "mmap2", junk, DecodeContext{0, false, false});
  ASSERT_EQ(mmap2.size(), 6u);
  EXPECT_EQ(mmap2[2].text, "PROT_EXEC|PROT_READ|PROT_WRITE|0x38");  // 63: the unknown bits stay in hex
}

// Options are named by their level, flag sets bit by bit, clone's exit signal as a signal, and each
// constant by its one name, as in recordings (the table in syscalls/arg_meanings.cc).
TEST(ArgDecoderTest, DecodesFromTheOneTableOfMeanings) {
  const DecodeContext blind{0, false, false};
  const uint64_t nodelay[6] = {3, 6, 1, 0x7ffc0000, 4, 0};
  const auto tcp = DecodeArgs(Arch::kX86_64, "setsockopt", nodelay, blind);
  ASSERT_EQ(tcp.size(), 5u);
  EXPECT_EQ(tcp[1].text, "SOL_TCP");
  EXPECT_EQ(tcp[2].kind, DecodedArg::Kind::kConstant);
  EXPECT_EQ(tcp[2].text, "TCP_NODELAY");  // not SO_DEBUG
  EXPECT_EQ(tcp[2].family, "TCP");
  const uint64_t debug[6] = {3, 1, 1, 0x7ffc0000, 4, 0};
  EXPECT_EQ(DecodeArgs(Arch::kX86_64, "getsockopt", debug, blind)[2].text, "SO_DEBUG");
  const uint64_t unix_socket[6] = {1, 0x80801, 0, 0, 0, 0};
  const auto socket = DecodeArgs(Arch::kX86_64, "socket", unix_socket, blind);
  EXPECT_EQ(socket[0].text, "AF_UNIX");  // not AF_FILE
  EXPECT_EQ(socket[1].text, "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
  EXPECT_EQ(socket[2].kind, DecodedArg::Kind::kNumber);  // protocol 0 of AF_UNIX is no IPPROTO_*
  const uint64_t fork_flags[6] = {0x1200011, 0, 0, 0, 0, 0};
  const auto clone = DecodeArgs(Arch::kX86_64, "clone", fork_flags, blind);
  EXPECT_EQ(clone[0].kind, DecodedArg::Kind::kFlags);
  EXPECT_EQ(clone[0].text, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  const uint64_t term[6] = {1234, 15, 0, 0, 0, 0};
  EXPECT_EQ(DecodeArgs(Arch::kX86_64, "kill", term, blind)[1].text, "SIGTERM");
  const uint64_t chld[6] = {17, 0, 0, 8, 0, 0};
  EXPECT_EQ(DecodeArgs(Arch::kX86_64, "rt_sigaction", chld, blind)[0].text, "SIGCHLD");  // not SIGCLD
  const uint64_t anonymous[6] = {0, 4096, 3, 0x22, ~uint64_t{0}, 0};
  const auto mmap = DecodeArgs(Arch::kX86_64, "mmap", anonymous, blind);
  EXPECT_EQ(mmap[3].text, "MAP_ANONYMOUS|MAP_PRIVATE");
}

TEST(ArgDecoderTest, UnknownSignatureGivesSixRawArguments) {
  const uint64_t args[6] = {1, 2, 3, 4, 5, 6};
  const auto decoded = DecodeArgs(Arch::kX86_64, "", args, DecodeContext{0, false, false});
  ASSERT_EQ(decoded.size(), 6u);
  EXPECT_EQ(decoded[5].name, "arg5");
  EXPECT_EQ(decoded[5].value, 6u);
}

TEST(ArgDecoderTest, FlagsTextNamesUnknownBitsInHex) {
  EXPECT_EQ(FlagsText("PROT", PROT_READ | PROT_WRITE), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(FlagsText("PROT", 0), "PROT_NONE");
  EXPECT_EQ(FlagsText("PROT", PROT_READ | 0x100000), "PROT_READ|0x100000");
}

}  // namespace
}  // namespace sysfence::run
