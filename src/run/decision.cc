// SPDX-License-Identifier: Apache-2.0
#include "run/decision.h"

#include "ir/build.h"
#include "ir/evaluate.h"
#include "run/observed_call.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {

int DecidedByIndex(const policy::Decision& decision) {
  switch (decision.by) {
    case policy::DecidedBy::kRule: return decision.rule_index;
    case policy::DecidedBy::kDefault: return -1;
    case policy::DecidedBy::kBadArch: return -2;
    case policy::DecidedBy::kUnknown: return -3;
  }
  return -1;
}

CallDecider::CallDecider(const policy::Policy& policy, RunMode mode) : policy_(policy), mode_(mode) {
  Result<ir::Ir> built = ir::BuildIr(policy);
  if (built.ok()) ir_.emplace(std::move(built).value());
}

policy::Decision CallDecider::Evaluate(const SeccompData& data) const {
  return ir_ ? ir::Evaluate(*ir_, data) : policy::Evaluate(policy_, data);
}

int CallDecider::KeyArgFor(uint32_t audit_arch, int32_t nr, std::string_view name) {
  const uint64_t key = (uint64_t{audit_arch} << 32) | static_cast<uint32_t>(nr);
  auto it = key_args_.find(key);
  if (it != key_args_.end()) return it->second;
  const int index = name.empty() ? -1 : KeyArgIndex(name);
  key_args_.emplace(key, index);
  return index;
}

CallDecision CallDecider::Decide(const SeccompData& data) {
  CallDecision call;
  call.decision = Evaluate(data);
  call.response = ResponseFor(call.decision.action, mode_);
  const auto nr = static_cast<uint32_t>(data.nr);
  call.arch = ArchOfSyscall(data.arch, nr);
  call.name = call.arch ? syscalls::NameOf(*call.arch, nr).value_or(std::string_view()) : std::string_view();
  call.shape = CallShape{data.arch, data.nr, 0, DecidedByIndex(call.decision)};
  const int key_arg = KeyArgFor(data.arch, data.nr, call.name);
  if (key_arg >= 0 && call.arch) {
    call.shape.key_value =
        data.args[key_arg] & policy::WidthMask(syscalls::ArgWidthBits(*call.arch, call.name, key_arg));
  }
  // Calls that need different conditions are different shapes: each is reported once.
  if (call.arch) call.shape.key_value ^= ConditionShapeKey(*call.arch, call.name, data.args);
  return call;
}

}  // namespace sysfence::run
