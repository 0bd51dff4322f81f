// SPDX-License-Identifier: Apache-2.0
// The proof that sysfence reads and writes OCI profiles with libseccomp's meaning: random profiles
// are imported by sysfence and, separately, turned into a filter by libseccomp the way runc does;
// both must decide every sampled syscall the same. And random policies exported to OCI JSON, then
// applied by libseccomp, must decide what the policy decides.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "bpf/evaluator.h"
#include "formats/oci_export.h"
#include "formats/oci_import.h"
#include "formats/runc_reference_for_test.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

constexpr uint32_t kAuditX86_64 = 0xC000003Eu;

const std::vector<uint64_t> kValues = {0, 1, 2, 3, 5, 7, 8, 0xff, 0x7fffffff, 0x80000000, 0xffffffff,
                                       uint64_t{1} << 32, (uint64_t{1} << 32) + 3, uint64_t{1} << 63,
                                       ~uint64_t{0}, ~uint64_t{0} - 1};
const std::vector<uint64_t> kMasks = {0xf, 0xf0, 0xff, 0xffffffff, (uint64_t{1} << 32) | 0xff, ~uint64_t{0}};

uint64_t Pick(std::mt19937_64& rng, const std::vector<uint64_t>& from) { return from[rng() % from.size()]; }

// An argument value near the interesting ones, sometimes with random high bits.
uint64_t InputValue(std::mt19937_64& rng) {
  uint64_t v = Pick(rng, kValues);
  switch (rng() % 5) {
    case 0: return v + 1;
    case 1: return v - 1;
    case 2: return v ^ (rng() << 32);
    case 3: return rng();
    default: return v;
  }
}

bpf::SeccompData Input(std::mt19937_64& rng, std::string_view name) {
  bpf::SeccompData data;
  data.arch = kAuditX86_64;
  data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, name));
  for (uint64_t& arg : data.args) arg = InputValue(rng);
  return data;
}

Action RuncDecides(const bpf::Program& program, const bpf::SeccompData& data) {
  auto run = bpf::Evaluate(program, data);
  EXPECT_TRUE(run.ok());
  return run.ok() ? run->action : Action::KillProcess();
}

const char* kActions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"};
const char* kOps[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

// A random Docker profile over syscalls whose arguments are all 64 bits wide (where libseccomp's
// 64-bit comparisons and sysfence's semantics agree by definition).
nlohmann::json RandomProfile(std::mt19937_64& rng) {
  nlohmann::json profile;
  profile["defaultAction"] = kActions[rng() % 3];
  auto rules = nlohmann::json::array();
  const int count = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < count; ++i) {
    nlohmann::json rule;
    rule["names"] = rng() % 4 == 0 ? nlohmann::json{"ptrace", "mremap"} : nlohmann::json{rng() % 2 ? "ptrace" : "mremap"};
    rule["action"] = kActions[rng() % 5];
    if (rule["action"] == "SCMP_ACT_ERRNO" && rng() % 2) rule["errnoRet"] = 38;
    const int args = static_cast<int>(rng() % 4 == 0 ? 0 : 1 + rng() % 2);
    for (int a = 0; a < args; ++a) {
      nlohmann::json arg;
      arg["index"] = rng() % 3;
      arg["op"] = kOps[rng() % 7];
      if (arg["op"] == "SCMP_CMP_MASKED_EQ") {
        arg["value"] = Pick(rng, kMasks);
        arg["valueTwo"] = Pick(rng, kValues);
      } else {
        arg["value"] = Pick(rng, kValues);
      }
      rule["args"].push_back(arg);
    }
    rules.push_back(rule);
  }
  profile["syscalls"] = rules;
  return profile;
}

TEST(LibseccompDifferential, ImportedProfilesDecideLikeRunc) {
  for (const char* name : {"ptrace", "mremap"}) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(syscalls::ArgWidthBits(Arch::kX86_64, name, i), 64) << name;
  }
  std::mt19937_64 rng(20260623);
  int compared = 0;
  int refused = 0;
  for (int round = 0; round < 3000; ++round) {
    const nlohmann::json profile = RandomProfile(rng);
    std::optional<bpf::Program> reference = testing::RuncFilter(profile);
    LoadOptions options;
    options.host_arch = Arch::kX86_64;
    Diagnostics diagnostics;
    std::optional<policy::Policy> imported = ImportOciProfile(profile.dump(), "r.json", options, diagnostics);
    if (!reference) {
      // runc refuses the profile (libseccomp EEXIST): sysfence must refuse it too.
      EXPECT_FALSE(imported) << profile.dump(1);
      ++refused;
      continue;
    }
    ASSERT_TRUE(imported) << profile.dump(1);
    for (int sample = 0; sample < 60; ++sample) {
      const bpf::SeccompData data = Input(rng, sample % 2 ? "ptrace" : "mremap");
      const Action ours = policy::Evaluate(*imported, data).action;
      const Action theirs = RuncDecides(*reference, data);
      ASSERT_EQ(ours, theirs) << profile.dump(1) << "\nnr " << data.nr << " args " << data.args[0] << " "
                              << data.args[1] << " " << data.args[2];
      ++compared;
    }
  }
  EXPECT_GT(refused, 0);  // the generator does produce conflicting rules
  EXPECT_GT(compared, 100000);
}

// A random first-match policy with ||, ! and comparisons the OCI schema has no single form for,
// over 32- and 64-bit arguments.
policy::Condition RandomCondition(std::mt19937_64& rng, int depth) {
  using policy::Condition;
  if (depth == 0 || rng() % 3 == 0) {
    Condition leaf;
    leaf.compare.arg = static_cast<int>(rng() % 3);
    leaf.compare.op = static_cast<policy::CompareOp>(rng() % 7);
    leaf.compare.value = Pick(rng, kValues);
    if (leaf.compare.op == policy::CompareOp::kMaskedEq) {
      leaf.compare.mask = Pick(rng, kMasks);
      leaf.compare.value &= leaf.compare.mask;
    }
    return leaf;
  }
  Condition node;
  const int kind = static_cast<int>(rng() % 3);
  node.kind = kind == 0 ? Condition::Kind::kAnd : kind == 1 ? Condition::Kind::kOr : Condition::Kind::kNot;
  const int children = node.kind == Condition::Kind::kNot ? 1 : 2;
  for (int i = 0; i < children; ++i) node.children.push_back(RandomCondition(rng, depth - 1));
  return node;
}

policy::Policy RandomPolicy(std::mt19937_64& rng) {
  const Action actions[] = {Action::Allow(), Action::Errno(1), Action::Errno(38), Action::Log(), Action::KillProcess(),
                            Action::Trap()};
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = actions[rng() % 3];
  const int count = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < count; ++i) {
    policy::Rule rule;
    rule.action = actions[rng() % 6];
    rule.targets = {rng() % 2 ? "ioctl" : "ptrace"};
    if (rng() % 5 != 0) rule.condition = RandomCondition(rng, 2);
    p.rules.push_back(rule);
  }
  return p;
}

TEST(LibseccompDifferential, ExportedPoliciesDecideTheSameUnderRunc) {
  std::mt19937_64 rng(7);
  int exported = 0;
  for (int round = 0; round < 1500; ++round) {
    const policy::Policy p = RandomPolicy(rng);
    Diagnostics diagnostics;
    auto json = ExportOciJson(p, diagnostics);
    if (!json.ok()) {
      // Only the expansion limit may refuse a policy of this shape.
      ASSERT_EQ(json.error().code, ErrorCode::kLimit) << json.error().message;
      continue;
    }
    ++exported;
    const nlohmann::json profile = nlohmann::json::parse(*json);
    std::optional<bpf::Program> reference = testing::RuncFilter(profile);
    ASSERT_TRUE(reference) << "libseccomp refused the export:\n" << *json;
    LoadOptions options;
    options.host_arch = Arch::kX86_64;
    Diagnostics import_diagnostics;
    auto reimported = ImportOciProfile(*json, "e.json", options, import_diagnostics);
    ASSERT_TRUE(reimported) << *json;
    for (int sample = 0; sample < 60; ++sample) {
      const bpf::SeccompData data = Input(rng, sample % 2 ? "ioctl" : "ptrace");
      const Action expected = policy::Evaluate(p, data).action;
      ASSERT_EQ(RuncDecides(*reference, data), expected) << *json << "\nargs " << data.args[0] << " " << data.args[1]
                                                         << " " << data.args[2];
      ASSERT_EQ(policy::Evaluate(*reimported, data).action, expected) << *json;
    }
  }
  EXPECT_GT(exported, 1000);
}

}  // namespace
}  // namespace sysfence::formats
