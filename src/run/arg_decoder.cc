// SPDX-License-Identifier: Apache-2.0
#include "run/arg_decoder.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/policy.h"
#include "run/target_info.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {
namespace {

constexpr int kAtFdcwd = -100;
constexpr size_t kMaxPathBytes = 512;

// The value of the argument called `name` among the first `count` of `signature`, at its width.
std::optional<uint64_t> ValueOf(Arch arch, std::string_view syscall, std::span<const syscalls::ArgInfo> signature,
                                std::string_view name, const uint64_t (&args)[6]) {
  for (size_t i = 0; i < signature.size() && i < 6; ++i) {
    if (signature[i].name == name) {
      return args[i] & policy::WidthMask(syscalls::ArgWidthBits(arch, syscall, static_cast<int>(i)));
    }
  }
  return std::nullopt;
}

// Fills `arg` (name and value set) as `meaning` reads it.
void Decode(DecodedArg& arg, const syscalls::ArgMeaning& meaning, std::optional<uint64_t> selector,
            const DecodeContext& context) {
  using syscalls::ArgRole;
  switch (meaning.role) {
    case ArgRole::kNumber:
      return;
    case ArgRole::kPointer:
      arg.kind = DecodedArg::Kind::kPointer;
      return;
    case ArgRole::kPath:
      arg.kind = DecodedArg::Kind::kPointer;
      if (context.read_memory) {
        if (auto text = ReadTargetString(context.tid, arg.value, kMaxPathBytes)) {
          arg.kind = DecodedArg::Kind::kPath;
          arg.text = std::move(*text);
        }
      }
      return;
    case ArgRole::kFd: {
      const int fd = static_cast<int>(static_cast<uint32_t>(arg.value));
      if (fd == kAtFdcwd) {
        arg.kind = DecodedArg::Kind::kFd;
        arg.text = "AT_FDCWD";
      } else if (context.read_fds) {
        if (auto target = ReadFdTarget(context.tid, fd)) {
          arg.kind = DecodedArg::Kind::kFd;
          arg.text = std::move(*target);
        }
      }
      return;
    }
    default:
      break;
  }
  std::optional<std::string> text = syscalls::NameArgValue(meaning, arg.value, selector);
  if (!text) return;
  arg.kind = syscalls::IsFlagRole(meaning.role) ? DecodedArg::Kind::kFlags : DecodedArg::Kind::kConstant;
  arg.text = std::move(*text);
  if (meaning.role == ArgRole::kSocketLevel) {
    arg.family = syscalls::ConstantName("SOL", arg.value) ? "SOL" : "IPPROTO";
  } else if (!meaning.depends_on.empty()) {
    arg.family = selector ? syscalls::DependentFamily(meaning, *selector).value_or("") : "";
  } else {
    arg.family = meaning.role == ArgRole::kSignal ? "SIG" : meaning.family;
  }
}

}  // namespace

std::string FlagsText(std::string_view family, uint64_t value) {
  syscalls::ArgMeaning meaning;
  meaning.role = syscalls::ArgRole::kFlags;
  meaning.family = family;
  return syscalls::DescribeArgValue(meaning, value);
}

std::vector<DecodedArg> DecodeArgs(Arch arch, std::string_view name, const uint64_t (&args)[6],
                                   const DecodeContext& context) {
  std::vector<DecodedArg> out;
  // The signature as this ABI passes it (i386 mmap is old_mmap, s390x clone swaps its first two).
  // A known syscall shows its own arguments (none for getpid); an unknown one six raw registers.
  // On 32-bit ABIs the named prefix stops before a register pair: later registers are raw.
  const std::span<const syscalls::ArgInfo> signature = syscalls::ArgsOfOn(arch, name);
  const bool known = !name.empty() && syscalls::HasSignature(name);
  const size_t count = known ? std::max(signature.size(), syscalls::ArgsOf(name).size()) : 6;
  out.reserve(count);
  const bool is_64bit = GetArchInfo(arch).is_64bit;
  for (size_t i = 0; i < count && i < 6; ++i) {
    DecodedArg arg;
    const bool named = i < signature.size();
    const int width = named ? syscalls::ArgWidthBits(arch, name, static_cast<int>(i)) : (is_64bit ? 64 : 32);
    arg.value = args[i] & policy::WidthMask(width);  // what the kernel reads
    if (!named) {
      arg.name = fmt::format("arg{}", i);
      out.push_back(std::move(arg));
      continue;
    }
    const syscalls::ArgInfo& info = signature[i];
    arg.name = std::string(info.name);
    const syscalls::ArgMeaning meaning = syscalls::MeaningOf(name, info);
    const std::optional<uint64_t> selector =
        meaning.depends_on.empty() ? std::nullopt : ValueOf(arch, name, signature, meaning.depends_on, args);
    Decode(arg, meaning, selector, context);
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace sysfence::run
