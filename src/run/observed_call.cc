// SPDX-License-Identifier: Apache-2.0
#include "run/observed_call.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "policy/policy.h"
#include "policy/printer.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {
namespace {

struct ConditionArgs {
  std::string_view syscall;
  std::array<int, 2> indices;
  size_t count;
};

// Sorted by name. The arguments `sysfence record` conditions on (src/record/interesting_args.cc,
// `condition` set): constants whose handful of values describes what a program does.
constexpr ConditionArgs kTable[] = {
    {"clone", {0}, 1},      {"fcntl", {1}, 1},         {"getsockopt", {1}, 1}, {"ioctl", {1}, 1},
    {"mmap", {2}, 1},       {"mprotect", {2}, 1},      {"personality", {0}, 1}, {"pkey_mprotect", {2}, 1},
    {"prctl", {0}, 1},      {"setsockopt", {1}, 1},    {"socket", {0}, 1},      {"socketpair", {0}, 1},
};

// `text` when every '|'-separated part is a constant the policy language knows and together they
// make `value` exactly, else "" (the number is printed).
std::string Spelling(const std::string& text, uint64_t value) {
  if (text.empty()) return {};
  uint64_t combined = 0;
  for (size_t start = 0; start <= text.size();) {
    const size_t bar = std::min(text.find('|', start), text.size());
    const syscalls::Constant* constant = syscalls::FindConstant(std::string_view(text).substr(start, bar - start));
    if (constant == nullptr) return {};
    combined |= constant->value;
    start = bar + 1;
  }
  return combined == value ? text : std::string();
}

}  // namespace

std::span<const int> ConditionArgsOf(std::string_view syscall) {
  const auto* it = std::lower_bound(std::begin(kTable), std::end(kTable), syscall,
                                    [](const ConditionArgs& e, std::string_view n) { return e.syscall < n; });
  if (it == std::end(kTable) || it->syscall != syscall) return {};
  return {it->indices.data(), it->count};
}

policy::ObservedCall ObservedCallFrom(Arch arch, std::string_view syscall, const std::vector<DecodedArg>& args,
                                      std::string origin) {
  policy::ObservedCall call;
  call.arch = arch;
  call.syscall = std::string(syscall);
  call.origin = std::move(origin);
  const auto indices = ConditionArgsOf(syscall);
  call.conditionable = !indices.empty();
  call.args_known = !args.empty();
  for (int index : indices) {
    if (static_cast<size_t>(index) >= args.size()) continue;
    const DecodedArg& arg = args[index];
    const uint64_t value = arg.value & policy::WidthMask(syscalls::ArgWidthBits(arch, syscall, index));
    const bool named = arg.kind == DecodedArg::Kind::kConstant || arg.kind == DecodedArg::Kind::kFlags;
    call.args.push_back({index, value, named ? Spelling(arg.text, value) : std::string()});
  }
  return call;
}

uint64_t ConditionShapeKey(Arch arch, std::string_view syscall, const uint64_t (&args)[6]) {
  uint64_t key = 0;
  for (int index : ConditionArgsOf(syscall)) {
    const uint64_t value = args[index] & policy::WidthMask(syscalls::ArgWidthBits(arch, syscall, index));
    key = (key ^ value) * 0x100000001b3ull + static_cast<uint64_t>(index);
  }
  return key;
}

std::string SuggestLine(Arch arch, std::string_view syscall, const std::vector<DecodedArg>& args) {
  if (syscall.empty()) return {};
  const policy::ObservedCall call = ObservedCallFrom(arch, syscall, args, "");
  const policy::Rule rule = policy::RuleAllowing(std::span(&call, 1), {arch});
  return policy::PrintRule(rule);
}

}  // namespace sysfence::run
