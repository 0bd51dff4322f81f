// SPDX-License-Identifier: Apache-2.0
#include "run/arg_decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>

#include "policy/policy.h"
#include "run/target_info.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {
namespace {

struct FamilyEntry {
  std::string_view syscall;  ///< empty: any syscall
  std::string_view arg;
  ArgFamily family;
};

// Which arguments take constants from which family. Kept small and explicit: a wrong guess here
// would mislabel evidence.
constexpr std::array<FamilyEntry, 30> kFamilies = {{
    {"socket", "family", {"AF", false}},
    {"socketpair", "family", {"AF", false}},
    {"socket", "type", {"SOCK", true}},
    {"socketpair", "type", {"SOCK", true}},
    {"ioctl", "cmd", {"ioctl", false}},
    {"prctl", "option", {"PR", false}},
    {"fcntl", "cmd", {"F", false}},
    {"mmap", "prot", {"PROT", true}},
    {"mprotect", "prot", {"PROT", true}},
    {"pkey_mprotect", "prot", {"PROT", true}},
    {"mmap", "flags", {"MAP", true}},
    {"open", "flags", {"O", true}},
    {"openat", "flags", {"O", true}},
    {"clone", "clone_flags", {"CLONE", true}},
    {"unshare", "unshare_flags", {"CLONE", true}},
    {"kill", "sig", {"SIG", false}},
    {"tgkill", "sig", {"SIG", false}},
    {"tkill", "sig", {"SIG", false}},
    {"rt_sigaction", "sig", {"SIG", false}},
    {"rt_sigprocmask", "how", {"sigmask_how", false}},
    {"arch_prctl", "option", {"ARCH", false}},
    {"madvise", "behavior", {"MADV", false}},
    {"clock_gettime", "which_clock", {"CLOCK", false}},
    {"clock_nanosleep", "which_clock", {"CLOCK", false}},
    {"prlimit64", "resource", {"RLIMIT", false}},
    {"getrlimit", "resource", {"RLIMIT", false}},
    {"setrlimit", "resource", {"RLIMIT", false}},
    {"seccomp", "op", {"SECCOMP", false}},
    {"getrandom", "flags", {"GRND", true}},
    {"personality", "personality", {"personality", false}},
}};

bool IsFdName(std::string_view name) {
  return name == "fd" || name == "dfd" || name == "olddfd" || name == "newdfd" || name == "oldfd" ||
         name == "newfd" || name == "epfd" || name == "fd_in" || name == "fd_out" || name == "dirfd";
}

bool IsPathArg(const syscalls::ArgInfo& info) {
  if (info.kind != syscalls::ArgKind::kPointer) return false;
  if (info.type.find("char *") == std::string_view::npos || info.type.find("* const") != std::string_view::npos ||
      info.type.find("*const") != std::string_view::npos) {
    return false;
  }
  return info.name.find("name") != std::string_view::npos || info.name.find("path") != std::string_view::npos;
}

constexpr int kAtFdcwd = -100;
constexpr size_t kMaxPathBytes = 512;

}  // namespace

std::optional<ArgFamily> FamilyOf(std::string_view syscall, std::string_view arg_name) {
  for (const FamilyEntry& entry : kFamilies) {
    if (entry.syscall == syscall && entry.arg == arg_name) return entry.family;
  }
  return std::nullopt;
}

std::string FlagsText(std::string_view family, uint64_t value) {
  std::string text;
  uint64_t rest = value;
  auto append = [&text](std::string_view name) {
    if (!text.empty()) text += '|';
    text += name;
  };
  // socket(2) type: the low four bits are the socket type, the rest flags.
  if (family == "SOCK") {
    const auto names = syscalls::ConstantNamesFor("SOCK", value & 0xf);
    if (!names.empty()) {
      append(names.front());
      rest &= ~uint64_t{0xf};
    }
  }
  // open(2) flags: the access mode is a two-bit value, not a flag.
  if (family == "O") {
    const uint64_t mode = value & 3;
    const auto names = syscalls::ConstantNamesFor("O", mode);
    if (!names.empty() && mode != 3) {
      // ConstantNamesFor("O", 0) may list several zero-valued names; O_RDONLY is the canonical one.
      std::string_view pick = names.front();
      for (std::string_view n : names) {
        if (n == "O_RDONLY" || n == "O_WRONLY" || n == "O_RDWR") pick = n;
      }
      append(pick);
      rest &= ~uint64_t{3};
    }
  }
  for (const syscalls::Constant& constant : syscalls::AllConstants()) {
    if (constant.family != family || constant.value == 0 || !std::has_single_bit(constant.value)) continue;
    if (family == "SOCK" && constant.value <= 0xf) continue;  // types, not flags
    if ((rest & constant.value) != 0) {
      append(constant.name);
      rest &= ~constant.value;
    }
  }
  // Multi-bit fields (SOCK_STREAM = 1, SOCK_DGRAM = 2 ...) are matched exactly on what is left.
  if (rest != 0) {
    const auto names = syscalls::ConstantNamesFor(family, rest);
    if (!names.empty()) {
      append(names.front());
      rest = 0;
    }
  }
  if (rest != 0) append(fmt::format("{:#x}", rest));
  if (text.empty()) {
    const auto zero = syscalls::ConstantNamesFor(family, 0);
    text = zero.empty() ? "0" : std::string(zero.front());
  }
  return text;
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
    if (IsPathArg(info)) {
      arg.kind = DecodedArg::Kind::kPointer;
      if (context.read_memory) {
        if (auto text = ReadTargetString(context.tid, arg.value, kMaxPathBytes)) {
          arg.kind = DecodedArg::Kind::kPath;
          arg.text = std::move(*text);
        }
      }
    } else if (info.kind == syscalls::ArgKind::kPointer) {
      arg.kind = DecodedArg::Kind::kPointer;
    } else if (auto family = FamilyOf(name, info.name)) {
      arg.family = family->family;
      if (family->flags) {
        arg.kind = DecodedArg::Kind::kFlags;
        arg.text = FlagsText(family->family, arg.value);
      } else {
        const auto names = syscalls::ConstantNamesFor(family->family, arg.value);
        if (!names.empty()) {
          arg.kind = DecodedArg::Kind::kConstant;
          arg.text = std::string(names.front());
        }
      }
    } else if (IsFdName(info.name)) {
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
    }
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace sysfence::run
