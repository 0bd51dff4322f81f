// SPDX-License-Identifier: Apache-2.0
// The BPF toolkit's commands through the built binary: output, exit statuses, one-line errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <nlohmann/json.hpp>

#include "bpf/opcodes.h"
#include "bpf/raw_file.h"
#include "core/action.h"
#include "tests/support/cli_runner.h"

namespace sysfence {
namespace {

using bpf::Jump;
using bpf::Stmt;
using testsupport::RunSysfence;
using testsupport::TempDir;
namespace opcode = bpf::opcode;
namespace op = bpf::op;

// x86_64 only; getppid -> EPERM, openat with flags having O_CREAT (0x40) -> EACCES; rest allowed.
bpf::Program Sample() {
  return {
      Stmt(opcode::kLdAbs, bpf::offset::kArch),
      Jump(op::kJmp | op::kJeq, 0xc000003e, 0, 9),
      Stmt(opcode::kLdAbs, bpf::offset::kNr),
      Jump(op::kJmp | op::kJeq, 110, 5, 0),
      Jump(op::kJmp | op::kJeq, 257, 0, 3),
      Stmt(opcode::kLdAbs, bpf::offset::ArgLo(2)),
      Jump(op::kJmp | op::kJset, 0x40, 3, 0),
      Stmt(opcode::kRetK, seccomp_ret::kAllow),
      Stmt(opcode::kRetK, seccomp_ret::kAllow),
      Stmt(opcode::kRetK, seccomp_ret::kErrno | 1),
      Stmt(opcode::kRetK, seccomp_ret::kErrno | 13),
      Stmt(opcode::kRetK, seccomp_ret::kKillProcess),
  };
}

class BpfCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_ = dir_.Write("sample.bpf", bpf::SerializeRawBpf(Sample()));
  }
  TempDir dir_;
  std::string sample_;
};

TEST_F(BpfCliTest, DisasmPrintsTheListing) {
  auto result = RunSysfence({"disasm", sample_});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("  0: ld [arch]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("getppid"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("openat"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ret errno(EACCES)"), std::string::npos) << result.out;
  EXPECT_TRUE(result.err.empty()) << result.err;
}

TEST_F(BpfCliTest, DisasmOutputAssemblesBackIntoTheSameProgram) {
  auto listing = RunSysfence({"disasm", sample_});
  ASSERT_EQ(listing.exit_status, 0);
  const std::string asm_file = dir_.Write("sample.asm", listing.out);
  // eval accepts assembly: the same decisions as the raw file.
  EXPECT_EQ(RunSysfence({"eval", asm_file, "getppid"}).out, "errno(EPERM)\n");
  auto again = RunSysfence({"disasm", asm_file});
  EXPECT_EQ(again.out, listing.out);
}

TEST_F(BpfCliTest, DisasmCacheAnalysis) {
  auto result = RunSysfence({"disasm", sample_, "--cache"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  // Everything except getppid (110) and openat (257) is a constant allow on x86_64; nothing on x86.
  EXPECT_NE(result.out.find("x86_64: "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("x86: 0 of"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(" read write "), std::string::npos) << result.out;
}

TEST_F(BpfCliTest, EvalPrintsTheAction) {
  EXPECT_EQ(RunSysfence({"eval", sample_, "getppid"}).out, "errno(EPERM)\n");
  EXPECT_EQ(RunSysfence({"eval", sample_, "openat", "--", "-100", "0", "O_CREAT|O_WRONLY"}).out, "errno(EACCES)\n");
  EXPECT_EQ(RunSysfence({"eval", sample_, "openat", "--", "-100", "0", "0"}).out, "allow\n");
  EXPECT_EQ(RunSysfence({"eval", sample_, "read"}).out, "allow\n");
  EXPECT_EQ(RunSysfence({"eval", sample_, "110"}).out, "errno(EPERM)\n");
  EXPECT_EQ(RunSysfence({"eval", sample_, "execve", "--arch", "x86"}).out, "kill\n");
  auto verbose = RunSysfence({"eval", sample_, "getppid", "-v"});
  EXPECT_EQ(verbose.exit_status, 0);
  EXPECT_NE(verbose.out.find("instructions executed: 5 of 12"), std::string::npos) << verbose.out;
  EXPECT_NE(verbose.out.find("path: 0 1 2 3 9"), std::string::npos) << verbose.out;
}

TEST_F(BpfCliTest, EvalUnknownNamesSuggest) {
  auto syscall = RunSysfence({"eval", sample_, "getppdi"});
  EXPECT_EQ(syscall.exit_status, 2);
  EXPECT_NE(syscall.err.find("unknown syscall 'getppdi'; did you mean 'getppid'?"), std::string::npos) << syscall.err;
  auto arch = RunSysfence({"eval", sample_, "read", "--arch", "x86_46"});
  EXPECT_EQ(arch.exit_status, 2);
  EXPECT_NE(arch.err.find("unknown arch 'x86_46'; did you mean 'x86_64'?"), std::string::npos) << arch.err;
  auto constant = RunSysfence({"eval", sample_, "socket", "AF_INTE"});
  EXPECT_EQ(constant.exit_status, 2);
  EXPECT_NE(constant.err.find("did you mean 'AF_INET'?"), std::string::npos) << constant.err;
  auto missing = RunSysfence({"eval", sample_, "fork", "--arch", "aarch64"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_NE(missing.err.find("does not exist on aarch64"), std::string::npos) << missing.err;
}

struct BadFile {
  const char* name;
  std::string bytes;
  const char* message;
};

TEST_F(BpfCliTest, BadBpfFilesAreOneLineWithTheOffset) {
  const BadFile cases[] = {
      {"empty.bpf", "", "empty BPF file"},
      {"odd.bpf", std::string(13, '\0'), "not a multiple of 8"},
      {"long.bpf", bpf::SerializeRawBpf(bpf::Program(4097, Stmt(opcode::kRetK, 0))), "at most 4096"},
      {"opcode.bpf", bpf::SerializeRawBpf({Stmt(opcode::kTax), Stmt(0x28), Stmt(opcode::kRetK, 0)}),
       "instruction 1 (byte offset 8): invalid opcode 0x28"},
      {"jump.bpf", bpf::SerializeRawBpf({Stmt(opcode::kTax), Jump(op::kJmp | op::kJgt, 1, 0, 7), Stmt(opcode::kRetK, 0)}),
       "instruction 1 (byte offset 8): jump out of range"},
      {"ja.bpf", bpf::SerializeRawBpf({Stmt(opcode::kJa, 1), Stmt(opcode::kRetK, 0)}),
       "instruction 0 (byte offset 0): jump out of range"},
  };
  for (const BadFile& bad : cases) {
    const std::string path = dir_.Write(bad.name, bad.bytes);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"disasm", path}, std::vector<std::string>{"eval", path, "read"}}) {
      auto result = RunSysfence(args);
      EXPECT_EQ(result.exit_status, 2) << bad.name << ": " << result.err;
      EXPECT_NE(result.err.find(bad.message), std::string::npos) << bad.name << ": " << result.err;
      EXPECT_NE(result.err.find(path), std::string::npos) << "names the file: " << result.err;
      EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << "one line: " << result.err;
      EXPECT_TRUE(result.out.empty()) << result.out;
    }
  }
}

TEST_F(BpfCliTest, ProgramsTheKernelWouldRefuse) {
  // Well-formed instructions, but no final ret: disasm shows it with a warning, eval refuses.
  const std::string path = dir_.Write("noret.bpf", bpf::SerializeRawBpf({Stmt(opcode::kRetK, 0), Stmt(opcode::kTax)}));
  auto disasm = RunSysfence({"disasm", path});
  EXPECT_EQ(disasm.exit_status, 1);
  EXPECT_NE(disasm.err.find("instruction 1: the last instruction must be a ret"), std::string::npos) << disasm.err;
  auto eval = RunSysfence({"eval", path, "read"});
  EXPECT_EQ(eval.exit_status, 2);
  EXPECT_NE(eval.err.find("kernel would refuse"), std::string::npos) << eval.err;
}

TEST_F(BpfCliTest, MissingFileAndUsage) {
  auto missing = RunSysfence({"disasm", dir_.path() + "/nope.bpf"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_NE(missing.err.find("nope.bpf"), std::string::npos);
  EXPECT_EQ(RunSysfence({"disasm"}).exit_status, 2);
  EXPECT_EQ(RunSysfence({"eval", sample_}).exit_status, 2);
  auto help = RunSysfence({"disasm", "--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);
}

TEST_F(BpfCliTest, PolicyFilesAreCompiledFirst) {
  const std::string policy = dir_.Write("p.sfp", "arch x86_64\ndefault errno EPERM\nallow read write\n");
  auto read = RunSysfence({"eval", policy, "read"});
  ASSERT_EQ(read.exit_status, 0) << read.err;
  EXPECT_EQ(read.out, "allow\n");
  EXPECT_EQ(RunSysfence({"eval", policy, "openat"}).out, "errno(EPERM)\n");
  auto listing = RunSysfence({"disasm", policy});
  EXPECT_EQ(listing.exit_status, 0) << listing.err;
  EXPECT_NE(listing.out.find("ld [arch]"), std::string::npos) << listing.out;
  const std::string broken = dir_.Write("broken.sfp", "arch x86_64\ndefault errno EPERM\nalow read\n");
  auto bad = RunSysfence({"disasm", broken});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_NE(bad.err.find("broken.sfp:3"), std::string::npos) << bad.err;
}

TEST_F(BpfCliTest, Features) {
  auto table = RunSysfence({"features"});
  EXPECT_NE(table.out.find("seccomp filters"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("landlock ABI"), std::string::npos) << table.out;
  auto json = RunSysfence({"features", "--json"});
  auto parsed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.out;
  EXPECT_TRUE(parsed.contains("landlock_abi"));
  EXPECT_TRUE(parsed["actions"].contains("allow"));
  EXPECT_EQ(json.exit_status, parsed["seccomp_filter"].get<bool>() ? 0 : 3);
}

TEST_F(BpfCliTest, DisasmPid) {
  if (geteuid() != 0) GTEST_SKIP() << "reading filters of a process needs root [feature: root]";
  // A child without filters.
  const pid_t child = fork();
  if (child == 0) {
    while (true) pause();
  }
  auto result = RunSysfence({"disasm", "--pid", std::to_string(child)});
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  if (result.exit_status == 3)
    GTEST_SKIP() << "PTRACE_SECCOMP_GET_FILTER unavailable [feature: ptrace-get-filter]: " << result.err;
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("has no seccomp filters"), std::string::npos) << result.out;
  auto gone = RunSysfence({"disasm", "--pid", "999999999"});
  EXPECT_EQ(gone.exit_status, 2);
  EXPECT_NE(gone.err.find("pid 999999999"), std::string::npos) << gone.err;
}

}  // namespace
}  // namespace sysfence
