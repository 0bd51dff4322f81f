// SPDX-License-Identifier: Apache-2.0
#include "syscalls/arg_meanings.h"

#include <algorithm>
#include <bit>
#include <iterator>

#include "fmt/format.h"

namespace sysfence::syscalls {
namespace {

constexpr ArgMeaning Enum(std::string_view family, std::string_view only = {}) {
  return {ArgRole::kEnum, family, only, {}, false, false, false};
}
// Events suggest rules naming this argument's value (a constant that keys what the call does).
constexpr ArgMeaning Keyed(ArgMeaning meaning) {
  meaning.suggestion_key = true;
  return meaning;
}
constexpr ArgMeaning Flags(std::string_view family, std::string_view only = {}) {
  return {ArgRole::kFlags, family, only, {}, false, false, false};
}
constexpr ArgMeaning Role(ArgRole role, std::string_view family = {}) {
  return {role, family, {}, {}, false, false, false};
}
constexpr ArgMeaning Dependent(ArgRole role, std::string_view on) { return {role, {}, {}, on, false, false, false}; }
// The recorder keeps its values; with `condition`, generation may restrict the syscall to them.
constexpr ArgMeaning Recorded(ArgMeaning meaning, bool condition) {
  meaning.recorded = true;
  meaning.condition = condition;
  return meaning;
}

constexpr std::string_view kSignalFamily = "SIG";

// Sorted by syscall, then argument name. A wrong entry here would mislabel evidence and policies:
// only arguments whose constants are certain are listed.
constexpr NamedArgMeaning kTable[] = {
    {"accept4", "flags", Flags("SOCK", "SOCK_NONBLOCK|SOCK_CLOEXEC")},
    {"access", "mode", Flags("access")},
    {"arch_prctl", "option", Keyed(Enum("ARCH"))},
    {"clock_getres", "which_clock", Enum("CLOCK")},
    {"clock_gettime", "which_clock", Enum("CLOCK")},
    {"clock_nanosleep", "which_clock", Enum("CLOCK")},
    {"clone", "clone_flags", Recorded(Role(ArgRole::kCloneFlags, "CLONE"), true)},
    {"dup3", "flags", Flags("O", "O_CLOEXEC")},
    {"eventfd2", "flags", Flags("EFD")},
    {"faccessat", "mode", Flags("access")},
    {"faccessat2", "flags", Flags("AT", "AT_EACCESS|AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH")},
    {"faccessat2", "mode", Flags("access")},
    {"fcntl", "cmd", Keyed(Recorded(Enum("F"), true))},
    {"fcntl64", "cmd", Recorded(Enum("F"), true)},
    {"futex", "op", Enum("FUTEX")},
    {"getrandom", "flags", Flags("GRND")},
    {"getrlimit", "resource", Enum("RLIMIT")},
    {"getsockopt", "level", Recorded(Role(ArgRole::kSocketLevel), true)},
    {"getsockopt", "optname", Recorded(Dependent(ArgRole::kSocketOption, "level"), false)},
    {"ioctl", "cmd", Keyed(Recorded(Enum("ioctl"), true))},
    {"kill", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"madvise", "behavior", Recorded(Enum("MADV"), false)},
    {"memfd_create", "flags", Flags("MFD")},
    {"mmap", "flags", Recorded(Flags("MAP"), false)},
    {"mmap", "prot", Recorded(Flags("PROT"), true)},
    {"mmap2", "flags", Recorded(Flags("MAP"), false)},
    {"mmap2", "prot", Recorded(Flags("PROT"), true)},
    {"mount", "flags", Flags("MS")},
    {"mprotect", "prot", Recorded(Flags("PROT"), true)},
    {"mremap", "flags", Flags("MREMAP")},
    {"msync", "flags", Flags("msync")},
    {"newfstatat", "flag", Flags("AT", "AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH")},
    {"open", "flags", Role(ArgRole::kOpenFlags, "O")},
    {"openat", "flags", Role(ArgRole::kOpenFlags, "O")},
    {"personality", "personality", Keyed(Recorded(Enum("personality"), true))},
    {"pidfd_send_signal", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"pipe2", "flags", Flags("O", "O_CLOEXEC|O_NONBLOCK|O_DIRECT|O_NOTIFICATION_PIPE")},
    {"pkey_mprotect", "prot", Recorded(Flags("PROT"), true)},
    {"prctl", "option", Keyed(Recorded(Enum("PR"), true))},
    {"prlimit64", "resource", Enum("RLIMIT")},
    {"recvfrom", "flags", Flags("MSG")},
    {"recvmsg", "flags", Flags("MSG")},
    {"rt_sigaction", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"rt_sigprocmask", "how", Enum("sigmask_how")},
    {"rt_sigqueueinfo", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"rt_tgsigqueueinfo", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"seccomp", "op", Keyed(Enum("SECCOMP", "SECCOMP_SET_MODE_|SECCOMP_GET_"))},
    {"sendmsg", "flags", Flags("MSG")},
    {"sendto", "flags", Flags("MSG")},
    {"setns", "flags", Flags("CLONE")},
    {"setrlimit", "resource", Enum("RLIMIT")},
    {"setsockopt", "level", Recorded(Role(ArgRole::kSocketLevel), true)},
    {"setsockopt", "optname", Recorded(Dependent(ArgRole::kSocketOption, "level"), false)},
    {"sigaction", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"sigprocmask", "how", Enum("sigmask_how")},
    {"socket", "family", Keyed(Recorded(Enum("AF"), true))},
    {"socket", "protocol", Recorded(Dependent(ArgRole::kSocketProtocol, "family"), false)},
    {"socket", "type", Recorded(Role(ArgRole::kSocketType, "SOCK"), false)},
    {"socketpair", "family", Keyed(Recorded(Enum("AF"), true))},
    {"socketpair", "type", Recorded(Role(ArgRole::kSocketType, "SOCK"), false)},
    {"tgkill", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"timer_create", "which_clock", Enum("CLOCK")},
    {"timerfd_create", "clockid", Enum("CLOCK")},
    {"tkill", "sig", Role(ArgRole::kSignal, kSignalFamily)},
    {"unlinkat", "flag", Flags("AT", "AT_REMOVEDIR")},
    {"unshare", "unshare_flags", Recorded(Flags("CLONE"), false)},
};

constexpr bool TableIsSorted() {
  for (size_t i = 1; i < std::size(kTable); ++i) {
    if (!(kTable[i - 1].syscall < kTable[i].syscall ||
          (kTable[i - 1].syscall == kTable[i].syscall && kTable[i - 1].arg < kTable[i].arg))) {
      return false;
    }
  }
  return true;
}
static_assert(TableIsSorted(), "kTable must be sorted by syscall, then argument");

// Where several constants of a family share a value, the name sysfence shows (the others are old
// aliases: AF_FILE, SIGCLD, TIOCINQ ...). Without an entry, the first name in sort order is used.
constexpr std::string_view kPreferredNames[] = {
    "AF_NETLINK", "AF_UNIX",       "FIONREAD",      "FUTEX_WAIT_PRIVATE", "IPPROTO_IP",       "MSG_DONTROUTE",
    "MS_SILENT",  "SIGABRT",       "SIGCHLD",       "SIGIO",              "SO_ATTACH_FILTER", "SO_DETACH_FILTER",
    "S_IRUSR",    "S_IWUSR",       "S_IXUSR",       "AT_REMOVEDIR",       "O_RDONLY",
};

// Multi-bit constants that are masks or special values, never flags to name in a set.
constexpr std::string_view kNotFlags[] = {"AT_FDCWD", "AT_STATX_SYNC_TYPE", "MAP_TYPE", "O_ACCMODE"};

constexpr std::string_view kFdNames[] = {"dfd",   "dirfd", "epfd",   "fd",     "fd_in", "fd_out",
                                         "newdfd", "newfd", "olddfd", "oldfd", "pidfd", "ufd"};

bool Contains(std::span<const std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool Admitted(std::string_view name, std::string_view only) {
  if (only.empty()) return true;
  while (!only.empty()) {
    const size_t bar = std::min(only.find('|'), only.size());
    if (name.starts_with(only.substr(0, bar))) return true;
    only.remove_prefix(std::min(bar + 1, only.size()));
  }
  return false;
}

bool IsPathArgument(const ArgInfo& info) {
  if (info.kind != ArgKind::kPointer) return false;
  if (info.type.find("char *") == std::string_view::npos || info.type.find("* const") != std::string_view::npos ||
      info.type.find("*const") != std::string_view::npos) {
    return false;
  }
  return info.name.find("name") != std::string_view::npos || info.name.find("path") != std::string_view::npos;
}

void Append(std::string& text, std::string_view part) {
  if (!text.empty()) text += '|';
  text += part;
}

// Names the bits of `rest` with constants of `family` (those `only` admits, none with a bit of
// `skip`): multi-bit constants first (O_SYNC before O_DSYNC), then single bits, each pass in name
// order; clears what it names. No allocation: the supervisor decodes on its event path.
void NameBits(std::string& text, uint64_t& rest, std::string_view family, std::string_view only, uint64_t skip) {
  for (const bool multi_bit : {true, false}) {
    for (const Constant& constant : AllConstants()) {
      if (constant.family != family || constant.value == 0 || (constant.value & skip) != 0) continue;
      if ((std::popcount(constant.value) > 1) != multi_bit || (rest & constant.value) != constant.value) continue;
      if (!Admitted(constant.name, only) || Contains(kNotFlags, constant.name)) continue;
      Append(text, constant.name);
      rest &= ~constant.value;
    }
  }
}

std::string FlagSet(std::string_view family, std::string_view only, uint64_t value) {
  std::string text;
  uint64_t rest = value;
  NameBits(text, rest, family, only, 0);
  if (rest != 0) Append(text, fmt::format("{:#x}", rest));
  if (text.empty()) text = std::string(ConstantName(family, 0, only).value_or("0"));
  return text;
}

// A value with a field in its low bits (`field_mask`), named by `field_name`, and flags above.
std::string FieldAndFlags(std::string_view family, uint64_t value, uint64_t field_mask,
                          std::optional<std::string_view> field_name) {
  std::string text;
  uint64_t rest = value;
  if (field_name) {
    text = std::string(*field_name);
    rest &= ~field_mask;
  }
  NameBits(text, rest, family, {}, field_mask);
  if (rest != 0) Append(text, fmt::format("{:#x}", rest));
  return text.empty() ? "0" : text;
}

std::string CloneFlags(uint64_t value) {
  // The low byte is not a flag but the signal the parent gets when the child exits.
  const uint64_t exit_signal = value & 0xff;
  std::string text = FieldAndFlags("CLONE", value & ~uint64_t{0xff}, 0xff, std::nullopt);
  if (text == "0") text.clear();
  if (exit_signal != 0) {
    const std::optional<std::string_view> name = ConstantName(kSignalFamily, exit_signal);
    Append(text, name ? std::string(*name) : fmt::format("{:#x}", exit_signal));
  }
  return text.empty() ? "0" : text;
}

}  // namespace

std::span<const NamedArgMeaning> AllArgMeanings() { return kTable; }

std::optional<ArgMeaning> TableMeaningOf(std::string_view syscall, std::string_view arg_name) {
  using Key = std::pair<std::string_view, std::string_view>;
  const auto* it = std::lower_bound(
      std::begin(kTable), std::end(kTable), Key(syscall, arg_name),
      [](const NamedArgMeaning& entry, const Key& key) { return Key(entry.syscall, entry.arg) < key; });
  if (it == std::end(kTable) || it->syscall != syscall || it->arg != arg_name) return std::nullopt;
  return it->meaning;
}

ArgMeaning MeaningOf(std::string_view syscall, const ArgInfo& arg) {
  if (std::optional<ArgMeaning> meaning = TableMeaningOf(syscall, arg.name)) return *meaning;
  if (IsPathArgument(arg)) return Role(ArgRole::kPath);
  if (arg.kind == ArgKind::kPointer) return Role(ArgRole::kPointer);
  if (Contains(kFdNames, arg.name)) return Role(ArgRole::kFd);
  return {};
}

std::vector<RecordedArg> RecordedArgsOn(Arch arch, std::string_view syscall) {
  std::vector<RecordedArg> recorded;
  const std::span<const ArgInfo> signature = ArgsOfOn(arch, syscall);
  for (size_t i = 0; i < signature.size() && i < 6; ++i) {
    std::optional<ArgMeaning> meaning = TableMeaningOf(syscall, signature[i].name);
    if (meaning && meaning->recorded) recorded.push_back({static_cast<int>(i), signature[i].name, *meaning});
  }
  return recorded;
}

uint8_t RecordedArgMask(Arch arch, std::string_view syscall) {
  uint8_t mask = 0;
  for (const RecordedArg& arg : RecordedArgsOn(arch, syscall)) mask |= static_cast<uint8_t>(1u << arg.index);
  return mask;
}

std::optional<std::string_view> ConstantName(std::string_view family, uint64_t value, std::string_view only) {
  std::optional<std::string_view> first;
  for (std::string_view name : ConstantNamesFor(family, value)) {
    if (!Admitted(name, only)) continue;
    if (Contains(kPreferredNames, name)) return name;
    if (!first) first = name;
  }
  return first;
}

std::optional<std::string_view> DependentFamily(const ArgMeaning& meaning, uint64_t selector) {
  if (meaning.role == ArgRole::kSocketOption) {
    // Levels are protocol numbers, except SOL_SOCKET (1, which is also ICMP's number).
    switch (selector) {
      case 1: return "SO";     // SOL_SOCKET
      case 0: return "IP";     // SOL_IP, IPPROTO_IP
      case 6: return "TCP";    // SOL_TCP, IPPROTO_TCP
      case 41: return "IPV6";  // SOL_IPV6, IPPROTO_IPV6
      default: return std::nullopt;
    }
  }
  if (meaning.role == ArgRole::kSocketProtocol) {
    if (selector == 2 || selector == 10) return "IPPROTO";  // AF_INET, AF_INET6
  }
  return std::nullopt;
}

std::optional<std::string> NameArgValue(const ArgMeaning& meaning, uint64_t value, std::optional<uint64_t> selector) {
  auto constant = [](std::optional<std::string_view> name) -> std::optional<std::string> {
    if (!name) return std::nullopt;
    return std::string(*name);
  };
  switch (meaning.role) {
    case ArgRole::kNumber:
    case ArgRole::kPointer:
    case ArgRole::kPath:
    case ArgRole::kFd:
      return std::nullopt;
    case ArgRole::kEnum:
      return constant(ConstantName(meaning.family, value, meaning.only));
    case ArgRole::kSignal:
      return constant(ConstantName(kSignalFamily, value));
    case ArgRole::kFlags:
      return FlagSet(meaning.family, meaning.only, value);
    case ArgRole::kOpenFlags:
      // The access mode is a two-bit value (3 is no mode: it stays in hex).
      return FieldAndFlags("O", value, 3, (value & 3) == 3 ? std::nullopt : ConstantName("O", value & 3));
    case ArgRole::kSocketType:
      return FieldAndFlags("SOCK", value, 0xf, ConstantName("SOCK", value & 0xf));
    case ArgRole::kCloneFlags:
      return CloneFlags(value);
    case ArgRole::kSocketLevel:
      if (auto name = ConstantName("SOL", value)) return std::string(*name);
      return constant(ConstantName("IPPROTO", value));
    case ArgRole::kSocketOption:
    case ArgRole::kSocketProtocol: {
      if (!selector) return std::nullopt;
      const std::optional<std::string_view> family = DependentFamily(meaning, *selector);
      return family ? constant(ConstantName(*family, value)) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::string DescribeArgValue(const ArgMeaning& meaning, uint64_t value, std::optional<uint64_t> selector) {
  return NameArgValue(meaning, value, selector).value_or(fmt::format("{:#x}", value));
}

bool IsFlagRole(ArgRole role) {
  return role == ArgRole::kFlags || role == ArgRole::kOpenFlags || role == ArgRole::kSocketType ||
         role == ArgRole::kCloneFlags;
}

}  // namespace sysfence::syscalls
