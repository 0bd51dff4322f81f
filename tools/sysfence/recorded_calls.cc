// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/recorded_calls.h"

#include <optional>

#include "run/observed_call.h"
#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::cli {

std::vector<policy::ObservedCall> ObservedCallsOf(const profile::Profile& recording, const std::string& origin) {
  std::vector<policy::ObservedCall> calls;
  for (const profile::SyscallRecord& record : recording.syscalls) {
    const auto indices = run::ConditionArgsOf(record.name);
    const profile::ArgValues* values = nullptr;
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
    // The value's name, as the recording shows it (the one argument-meaning table).
    const auto signature = syscalls::ArgsOf(record.name);
    std::optional<syscalls::ArgMeaning> meaning;
    if (static_cast<size_t>(index) < signature.size()) {
      meaning = syscalls::TableMeaningOf(record.name, signature[index].name);
    }
    for (uint64_t value : values->values) {
      std::vector<run::DecodedArg> args(static_cast<size_t>(index) + 1);
      args[index].value = value;
      args[index].kind = run::DecodedArg::Kind::kFlags;
      args[index].text = meaning ? syscalls::DescribeArgValue(*meaning, value) : std::string();
      calls.push_back(run::ObservedCallFrom(record.arch, record.name, args, origin));
    }
  }
  return calls;
}

}  // namespace sysfence::cli
