// SPDX-License-Identifier: Apache-2.0
#include "record/fd_call_table.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "syscalls/fd_syscalls.h"
#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

// The ABIs a raw syscall tracepoint on x86_64 tells apart, with their fd_calls index.
constexpr std::pair<Arch, uint32_t> kAbis[] = {
    {Arch::kX86_64, SF_FD_ABI_NATIVE},
    {Arch::kX86, SF_FD_ABI_COMPAT},
    {Arch::kX32, SF_FD_ABI_X32},
};

uint8_t HowOf(syscalls::FdGiven how) {
  switch (how) {
    case syscalls::FdGiven::kReturned: return SF_FD_RETURNED;
    case syscalls::FdGiven::kReturnedIfArgIn: return SF_FD_RETURNED_IF_ARG_IN;
    case syscalls::FdGiven::kReturnedIfArgHas: return SF_FD_RETURNED_IF_ARG_HAS;
    case syscalls::FdGiven::kThroughPointer: return SF_FD_THROUGH_POINTER;
  }
  return SF_FD_NONE;
}

Error Unfit(const syscalls::FdSyscall& fact, Arch arch, const std::string& why) {
  return Error{ErrorCode::kInternal,
               "data/fd-syscalls.tsv: " + std::string(fact.name) + " on " + std::string(ArchName(arch)) + ": " + why};
}

// The entry of `fact` on `arch`, or nullopt when the ABI lacks the syscall.
Result<std::optional<FdCallEntry>> EntryOn(const syscalls::FdSyscall& fact, Arch arch, uint32_t abi) {
  const std::optional<uint32_t> number = syscalls::NumberOf(arch, fact.name);
  if (!number) return std::optional<FdCallEntry>();
  const uint32_t nr = *number & ~SF_X32_BIT;
  if (nr >= SF_FD_NRS) return Unfit(fact, arch, "number " + std::to_string(nr) + " is past SF_FD_NRS");
  FdCallEntry entry{fact.name, abi * SF_FD_NRS + nr, sf_fd_call{HowOf(fact.how), 0, 0, 0}, {}};
  if (fact.how == syscalls::FdGiven::kReturned) return std::optional<FdCallEntry>(std::move(entry));
  const auto args = syscalls::ArgsOfOn(arch, fact.name);
  const auto arg = std::find_if(args.begin(), args.end(), [&](const syscalls::ArgInfo& a) { return a.name == fact.arg; });
  if (arg == args.end()) return Unfit(fact, arch, "no argument '" + std::string(fact.arg) + "'");
  entry.call.arg = static_cast<unsigned char>(arg - args.begin());
  for (const syscalls::NamedValue& value : fact.values) {
    if (value.value > UINT32_MAX) return Unfit(fact, arch, std::string(value.name) + " does not fit 32 bits");
    if (fact.how == syscalls::FdGiven::kReturnedIfArgHas) {
      entry.call.bits |= static_cast<uint32_t>(value.value);
    } else {
      entry.values.push_back(static_cast<uint32_t>(value.value));
    }
  }
  return std::optional<FdCallEntry>(std::move(entry));
}

}  // namespace

Result<std::vector<FdCallEntry>> FdCallEntries() {
  std::vector<FdCallEntry> entries;
  size_t values = 0;
  for (const auto& [arch, abi] : kAbis) {
    for (const syscalls::FdSyscall& fact : syscalls::FdSyscalls()) {
      Result<std::optional<FdCallEntry>> entry = EntryOn(fact, arch, abi);
      if (!entry.ok()) return entry.error();
      if (!entry.value()) continue;
      values += entry.value()->values.size();
      entries.push_back(std::move(*entry.value()));
    }
  }
  if (values > SF_FD_VALUES) {
    return Error{ErrorCode::kInternal, "data/fd-syscalls.tsv: " + std::to_string(values) +
                                           " argument values, more than SF_FD_VALUES"};
  }
  std::sort(entries.begin(), entries.end(), [](const FdCallEntry& a, const FdCallEntry& b) { return a.slot < b.slot; });
  return entries;
}

}  // namespace sysfence::record
