// SPDX-License-Identifier: Apache-2.0
// `sysfence eval`: what a filter decides for one syscall, computed exactly as the kernel would.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bpf/instruction_text.h"
#include "bpf/evaluator.h"
#include "bpf/verifier.h"
#include "core/suggest.h"
#include "syscalls/syscalls.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/cmd_program_input.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"

namespace sysfence::cli {
namespace {

constexpr const char* kEvalHelp =
    "Runs a seccomp filter on one syscall, as the kernel would, without making the syscall, and\n"
    "prints the action: allow, log, errno(EPERM), kill, kill-thread, trap(N), trace(N), notify.\n"
    "\n"
    "FILE is a raw .bpf, a policy (.sfp or OCI/Docker JSON, compiled first) or assembly (.asm).\n"
    "SYSCALL is a name (resolved for --arch) or a number. Arguments are numbers (decimal, 0x-hex,\n"
    "negative for two's complement) or constants such as AF_INET, O_RDONLY|O_CLOEXEC. --arch\n"
    "chooses the ABI whose AUDIT_ARCH token the filter sees (default: the policy's first ABI, or\n"
    "this machine's); --ip sets seccomp_data.instruction_pointer. -v also prints the return\n"
    "value, the number of instructions executed and the path taken.\n"
    "\n"
    "Examples:\n"
    "  sysfence eval web.bpf openat -- -100 0 0x80000\n"
    "  sysfence eval web.sfp socket AF_INET SOCK_STREAM 0 -v\n"
    "  sysfence eval web.bpf execve --arch x86\n"
    "\n"
    "Unknown syscall or arch names, and malformed files, are errors (exit status 2).";

struct EvalFlags {
  std::string path;
  std::string syscall;
  std::vector<std::string> args;
  std::string arch;
  std::string ip;
  bool verbose = false;
};

std::optional<uint64_t> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  if (text[0] == '-') {
    const long long value = std::strtoll(text.c_str(), &end, 0);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return static_cast<uint64_t>(value);
  }
  const unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return value;
}

// A number, a constant, or constants and numbers joined by '|'.
std::optional<uint64_t> ParseArgument(const std::string& text, std::string* unknown) {
  uint64_t value = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t bar = text.find('|', start);
    if (bar == std::string::npos) bar = text.size();
    const std::string part = text.substr(start, bar - start);
    if (auto number = ParseNumber(part)) {
      value |= *number;
    } else if (const syscalls::Constant* constant = syscalls::FindConstant(part)) {
      value |= constant->value;
    } else {
      *unknown = part;
      return std::nullopt;
    }
    start = bar + 1;
  }
  return value;
}

int EvalCommand(const EvalFlags& flags) {
  std::optional<Arch> arch;
  if (int status = ParseArchFlag(flags.arch, &arch); status != kExitOk) return status;
  if (flags.args.size() > 6) return BadInput("at most 6 syscall arguments, got " + std::to_string(flags.args.size()));
  SeccompData data;
  for (size_t i = 0; i < flags.args.size(); ++i) {
    std::string unknown;
    auto value = ParseArgument(flags.args[i], &unknown);
    if (!value) {
      std::vector<std::string_view> names;
      for (const syscalls::Constant& constant : syscalls::AllConstants()) names.push_back(constant.name);
      return BadInput("argument " + std::to_string(i) + ": '" + unknown + "' is neither a number nor a known constant" +
                      DidYouMean(unknown, names));
    }
    data.args[i] = *value;
  }
  if (!flags.ip.empty()) {
    auto ip = ParseNumber(flags.ip);
    if (!ip) return BadInput("--ip: '" + flags.ip + "' is not a number");
    data.instruction_pointer = *ip;
  }
  ProgramInput input;
  if (int status = LoadProgramInput(flags.path, &input); status != kExitOk) return status;
  const Arch abi = arch ? *arch : input.policy_arch.value_or(NativeArch());
  const ArchInfo& info = GetArchInfo(abi);
  data.arch = info.audit_arch;
  if (auto number = ParseNumber(flags.syscall)) {
    uint32_t nr = static_cast<uint32_t>(*number);
    if (abi == Arch::kX32) nr |= kX32SyscallBit;
    data.nr = static_cast<int32_t>(nr);
  } else if (auto nr = syscalls::NumberOf(abi, flags.syscall)) {
    data.nr = static_cast<int32_t>(*nr);
  } else if (syscalls::IsKnownName(flags.syscall)) {
    return BadInput("syscall '" + flags.syscall + "' does not exist on " + std::string(ArchName(abi)));
  } else {
    return BadInput("unknown syscall '" + flags.syscall + "'" + DidYouMean(flags.syscall, syscalls::AllNames()));
  }
  if (auto failure = bpf::FindVerifyFailure(input.program)) {
    return BadInput(flags.path + ": the kernel would refuse this program: " + failure->ToString());
  }
  auto result = bpf::Evaluate(input.program, data, bpf::EvalOptions{.record_path = flags.verbose});
  if (!result.ok()) return ReportError(result.error());
  std::printf("%s\n", result->action.ToString().c_str());
  if (flags.verbose) {
    std::printf("value: 0x%08x\n", result->value);
    std::printf("arch: %s (0x%08x), nr: %d\n", std::string(ArchName(abi)).c_str(), data.arch, data.nr);
    std::printf("instructions executed: %zu of %zu\n", result->executed, input.program.size());
    if (result->divided_by_zero) {
      std::printf("ended by division by zero at instruction %zu (the kernel returns 0)\n", result->exit_offset);
    }
    std::printf("path:");
    for (uint32_t pc : result->path) std::printf(" %u", pc);
    std::printf("\n");
    for (uint32_t pc : result->path) {
      std::printf("  %4u: %s\n", pc, bpf::InstructionText(input.program, pc).c_str());
    }
  }
  return kExitOk;
}

const CommandRegistration kRegistration(61, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("eval", "Evaluate a filter on one syscall, exactly as the kernel would");
  sub->footer(kEvalHelp);
  auto flags = std::make_shared<EvalFlags>();
  sub->add_option("file", flags->path, "Raw .bpf, policy (.sfp/.json) or assembly (.asm); - for stdin")->required();
  sub->add_option("syscall", flags->syscall, "Syscall name or number")->required();
  sub->add_option("args", flags->args, "Up to 6 arguments: numbers or constants (AF_INET, O_RDONLY|O_CLOEXEC)");
  sub->add_option("--arch,-a", flags->arch, "ABI the syscall comes from (x86_64, x86, x32, aarch64, ...)");
  sub->add_option("--ip", flags->ip, "seccomp_data.instruction_pointer (default 0)");
  sub->callback([flags, exit_status] {
    flags->verbose = Verbose();  // -v: also the value, instruction count and path
    *exit_status = EvalCommand(*flags);
  });
});

}  // namespace
}  // namespace sysfence::cli
