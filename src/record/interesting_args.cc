// SPDX-License-Identifier: Apache-2.0
#include "record/interesting_args.h"

#include <cstring>

#include <algorithm>
#include <array>
#include <string>

#include "fmt/format.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

struct Entry {
  std::string_view syscall;
  std::array<InterestingArg, 3> args;
  size_t count;
};

// Sorted by syscall name. `condition` is set where a handful of values describes what a program
// does (socket families, ioctl requests, fcntl/prctl commands, memory protections, clone flags).
constexpr Entry kTable[] = {
    {"clone", {{{0, "CLONE", true, true}}}, 1},
    {"fcntl", {{{1, "F", false, true}}}, 1},
    {"getsockopt", {{{1, "SOL", false, true}, {2, "SO", false, false}}}, 2},
    {"ioctl", {{{1, "ioctl", false, true}}}, 1},
    {"madvise", {{{2, "MADV", false, false}}}, 1},
    {"mmap", {{{2, "PROT", true, true}, {3, "MAP", true, false}}}, 2},
    {"mprotect", {{{2, "PROT", true, true}}}, 1},
    {"personality", {{{0, "PER", false, true}}}, 1},
    {"pkey_mprotect", {{{2, "PROT", true, true}}}, 1},
    {"prctl", {{{0, "PR", false, true}}}, 1},
    {"setsockopt", {{{1, "SOL", false, true}, {2, "SO", false, false}}}, 2},
    {"socket", {{{0, "AF", false, true}, {1, "SOCK", false, false}, {2, "IPPROTO", false, false}}}, 3},
    {"socketpair", {{{0, "AF", false, true}, {1, "SOCK", false, false}}}, 2},
    {"unshare", {{{0, "CLONE", true, false}}}, 1},
};

}  // namespace

std::span<const InterestingArg> InterestingArgsOf(std::string_view name) {
  const auto* it = std::lower_bound(std::begin(kTable), std::end(kTable), name,
                                    [](const Entry& e, std::string_view n) { return e.syscall < n; });
  if (it == std::end(kTable) || it->syscall != name) return {};
  return {it->args.data(), it->count};
}

uint8_t InterestingArgMask(std::string_view name) {
  uint8_t mask = 0;
  for (const InterestingArg& arg : InterestingArgsOf(name)) mask |= static_cast<uint8_t>(1u << arg.index);
  return mask;
}

std::string DescribeValue(std::string_view family, bool flags, uint64_t value) {
  if (family.empty()) return fmt::format("{:#x}", value);
  const auto exact = syscalls::ConstantNamesFor(family, value);
  if (!exact.empty()) {
    // Prefer the usual spelling over old aliases (AF_UNIX, not AF_LOCAL or AF_FILE).
    for (std::string_view name : exact) {
      if (name != "AF_LOCAL" && name != "AF_FILE" && name.rfind("PF_", 0) != 0) return std::string(name);
    }
    return std::string(exact.front());
  }
  if (!flags || value == 0) return fmt::format("{:#x}", value);
  // Name the value bit by bit, with whatever is left over in hex.
  std::string text;
  uint64_t rest = value;
  std::string exit_signal_text;
  if (family == "CLONE") {
    // clone's low byte (CSIGNAL) is not a flag but the signal the parent gets at exit.
    const int exit_signal = static_cast<int>(rest & 0xff);
    rest &= ~uint64_t{0xff};
    const char* abbrev = exit_signal != 0 ? sigabbrev_np(exit_signal) : nullptr;
    if (abbrev != nullptr) {
      exit_signal_text = std::string("SIG") + abbrev;
    } else if (exit_signal != 0) {
      exit_signal_text = fmt::format("{:#x}", exit_signal);
    }
  }
  for (const syscalls::Constant& constant : syscalls::AllConstants()) {
    if (constant.family != family || constant.value == 0) continue;
    if ((constant.value & (constant.value - 1)) != 0) continue;  // single bits only
    if ((rest & constant.value) == 0) continue;
    rest &= ~constant.value;
    if (!text.empty()) text += '|';
    text += constant.name;
  }
  if (rest != 0) {
    if (!text.empty()) text += '|';
    text += fmt::format("{:#x}", rest);
  }
  if (!exit_signal_text.empty()) {
    if (!text.empty()) text += '|';
    text += exit_signal_text;
  }
  return text.empty() ? fmt::format("{:#x}", value) : text;
}

}  // namespace sysfence::record
