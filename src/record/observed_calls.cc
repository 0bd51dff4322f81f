// SPDX-License-Identifier: Apache-2.0
#include "record/observed_calls.h"

#include "record/interesting_args.h"
#include "run/observed_call.h"

namespace sysfence::record {

std::vector<policy::ObservedCall> ObservedCallsOf(const Profile& profile, const std::string& origin) {
  std::vector<policy::ObservedCall> calls;
  for (const SyscallRecord& record : profile.syscalls) {
    const auto indices = run::ConditionArgsOf(record.name);
    const ArgValues* values = nullptr;
    int index = -1;
    if (!indices.empty()) {
      index = indices.front();
      auto it = record.args.find(index);
      if (it != record.args.end() && !it->second.overflow && !it->second.values.empty()) values = &it->second;
    }
    if (values == nullptr) {
      policy::ObservedCall call;
      call.arch = record.arch;
      call.syscall = record.name;
      call.origin = origin;
      calls.push_back(std::move(call));
      continue;
    }
    std::string_view family;
    bool flags = false;
    for (const InterestingArg& info : InterestingArgsOf(record.name)) {
      if (info.index == index) {
        family = info.family;
        flags = info.flags;
      }
    }
    for (uint64_t value : values->values) {
      std::vector<run::DecodedArg> args(static_cast<size_t>(index) + 1);
      args[index].value = value;
      args[index].kind = run::DecodedArg::Kind::kFlags;
      args[index].text = DescribeValue(family, flags, value);
      calls.push_back(run::ObservedCallFrom(record.arch, record.name, args, origin));
    }
  }
  return calls;
}

}  // namespace sysfence::record
