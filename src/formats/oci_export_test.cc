// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_export.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "formats/c_header.h"
#include "formats/condition_dnf.h"
#include "formats/kubernetes.h"
#include "formats/oci_import.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/support/test_paths.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;
using policy::Comparison;
using policy::Condition;

const std::vector<uint64_t> kValues = {0, 1, 5, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, uint64_t{1} << 32,
                                       (uint64_t{1} << 32) + 5, uint64_t{1} << 63, ~uint64_t{0}, ~uint64_t{0} - 1};
const std::vector<uint64_t> kMasks = {0xf0, 0xff, 0xffffffff, (uint64_t{1} << 32) | 1, ~uint64_t{0}, 0};

uint64_t Pick(std::mt19937_64& rng, const std::vector<uint64_t>& from) { return from[rng() % from.size()]; }

Condition Leaf(int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  Condition c;
  c.compare = Comparison{arg, op, value, mask};
  return c;
}

Condition RandomCondition(std::mt19937_64& rng, int depth) {
  if (depth == 0 || rng() % 3 == 0) {
    const auto op = static_cast<CompareOp>(rng() % 7);
    return Leaf(static_cast<int>(rng() % 3), op, Pick(rng, kValues), op == CompareOp::kMaskedEq ? Pick(rng, kMasks) : ~uint64_t{0});
  }
  Condition node;
  const int kind = static_cast<int>(rng() % 3);
  node.kind = kind == 0 ? Condition::Kind::kAnd : kind == 1 ? Condition::Kind::kOr : Condition::Kind::kNot;
  for (int i = 0; i < (node.kind == Condition::Kind::kNot ? 1 : 2); ++i) node.children.push_back(RandomCondition(rng, depth - 1));
  return node;
}

bool Holds(const Condition& c, const uint64_t (&args)[6], const ArgWidths& widths) {
  switch (c.kind) {
    case Condition::Kind::kCompare:
      return policy::ComparisonHolds(c.compare, args[c.compare.arg], widths.bits[static_cast<size_t>(c.compare.arg)]);
    case Condition::Kind::kAnd:
      return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return Holds(x, args, widths); });
    case Condition::Kind::kOr:
      return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return Holds(x, args, widths); });
    case Condition::Kind::kNot: return !Holds(c.children[0], args, widths);
  }
  return false;
}

TEST(ConditionDnf, IsExactAndHasOneComparisonPerArgument) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3000; ++round) {
    ArgWidths widths;
    for (int& bits : widths.bits) bits = rng() % 3 == 0 ? 16 : rng() % 2 ? 32 : 64;
    const Condition condition = RandomCondition(rng, 3);
    const bool negate = rng() % 2;
    auto dnf = ToDnf(condition, negate, widths);
    if (!dnf.ok()) {
      ASSERT_EQ(dnf.error().code, ErrorCode::kLimit);
      continue;
    }
    for (const Cube& cube : *dnf) {
      for (size_t i = 1; i < cube.size(); ++i) ASSERT_LT(cube[i - 1].arg, cube[i].arg) << "one comparison per argument";
      for (const Comparison& c : cube) {
        // A 32-bit argument is compared on the low half only: a masked comparison within it, so a
        // 64-bit comparison in libseccomp reads it the same way.
        const int bits = widths.bits[static_cast<size_t>(c.arg)];
        if (bits < 64) {
          ASSERT_EQ(c.op, CompareOp::kMaskedEq);
          ASSERT_EQ(c.mask >> bits, 0u);
        }
      }
    }
    for (int sample = 0; sample < 40; ++sample) {
      uint64_t args[6] = {};
      for (uint64_t& a : args) {
        a = Pick(rng, kValues) + (rng() % 3) - 1;
        if (rng() % 4 == 0) a ^= rng() << 32;
      }
      const bool expected = Holds(condition, args, widths) != negate;
      const bool got = std::any_of(dnf->begin(), dnf->end(), [&](const Cube& cube) { return CubeHolds(cube, args, widths); });
      if (got != expected) {
        std::string text;
        std::function<void(const Condition&)> print = [&](const Condition& c) {
          if (c.kind == Condition::Kind::kCompare) {
            text += "(a" + std::to_string(c.compare.arg) + " op" + std::to_string(static_cast<int>(c.compare.op)) + " " +
                    std::to_string(c.compare.value) + " m" + std::to_string(c.compare.mask) + ")";
            return;
          }
          text += c.kind == Condition::Kind::kAnd ? "AND[" : c.kind == Condition::Kind::kOr ? "OR[" : "NOT[";
          for (const Condition& x : c.children) print(x);
          text += "]";
        };
        print(condition);
        text += negate ? " negated" : "";
        text += " widths " + std::to_string(widths.bits[0]) + "," + std::to_string(widths.bits[1]) + "," +
                std::to_string(widths.bits[2]) + " args " + std::to_string(args[0]) + "," + std::to_string(args[1]) +
                "," + std::to_string(args[2]) + "\ndnf:";
        for (const Cube& cube : *dnf) {
          text += "\n ";
          for (const Comparison& c : cube) {
            text += " (a" + std::to_string(c.arg) + " op" + std::to_string(static_cast<int>(c.op)) + " " +
                    std::to_string(c.value) + " m" + std::to_string(c.mask) + ")";
          }
        }
        FAIL() << "round " << round << ": " << text;
      }
    }
  }
}

TEST(ConditionDnf, KeepsNativeOperatorsWhenExact) {
  ArgWidths widths;  // 64-bit arguments
  auto dnf = ToDnf(Leaf(0, CompareOp::kLt, 38), false, widths);
  ASSERT_TRUE(dnf.ok());
  ASSERT_EQ(dnf->size(), 1u);
  EXPECT_EQ((*dnf)[0][0], (Comparison{0, CompareOp::kLe, 37, ~uint64_t{0}}));
  widths.bits[1] = 32;
  auto masked = ToDnf(Leaf(1, CompareOp::kEq, 0x5412), false, widths);  // ioctl cmd == TIOCSTI
  ASSERT_TRUE(masked.ok());
  ASSERT_EQ(masked->size(), 1u);
  EXPECT_EQ((*masked)[0][0], (Comparison{1, CompareOp::kMaskedEq, 0x5412, 0xffffffff}));
  auto range = ToDnf(Condition{Condition::Kind::kAnd, {}, {Leaf(0, CompareOp::kGe, 4), Leaf(0, CompareOp::kLt, 8)}},
                     false, ArgWidths{});
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 1u);  // [4, 8) is one aligned block
  EXPECT_EQ((*range)[0][0], (Comparison{0, CompareOp::kMaskedEq, 4, ~uint64_t{3}}));
}

std::string MobyProfile() {
  std::ifstream in(sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Evaluates both policies on every syscall number of each ABI, with interesting arguments.
void ExpectSameDecisions(const policy::Policy& a, const policy::Policy& b) {
  ASSERT_EQ(a.arches, b.arches);
  std::mt19937_64 rng(1);
  for (Arch arch : a.arches) {
    for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
      for (int sample = 0; sample < 6; ++sample) {
        SeccompData data;
        data.arch = GetArchInfo(arch).audit_arch;
        data.nr = static_cast<int32_t>(entry.number);
        for (uint64_t& arg : data.args) arg = sample == 0 ? 0 : Pick(rng, kValues) + rng() % 2;
        ASSERT_EQ(policy::Evaluate(a, data).action, policy::Evaluate(b, data).action)
            << ArchName(arch) << " " << entry.name << " arg0 " << data.args[0];
      }
    }
  }
}

LoadOptions Host(Arch arch) {
  LoadOptions options;
  options.host_arch = arch;
  return options;
}

TEST(OciExport, MobyRoundTripsWithTheSameMeaning) {
  for (const std::set<std::string>& caps : {std::set<std::string>{}, std::set<std::string>{"CAP_SYS_ADMIN"}}) {
    Diagnostics d1, d2, d3;
    LoadOptions options = Host(Arch::kX86_64);
    options.capabilities = caps;
    auto imported = ImportOciProfile(MobyProfile(), "moby.json", options, d1);
    ASSERT_TRUE(imported);
    auto exported = ExportOciJson(*imported, d2);
    ASSERT_TRUE(exported.ok()) << exported.error().message;
    EXPECT_TRUE(d2.empty());
    auto again = ImportOciProfile(*exported, "export.json", Host(Arch::kX86_64), d3);
    ASSERT_TRUE(again) << *exported;
    EXPECT_TRUE(d3.empty());
    ExpectSameDecisions(*imported, *again);
    // Deterministic: the same policy exports to the same bytes.
    Diagnostics d4;
    EXPECT_EQ(*ExportOciJson(*again, d4), *exported);
  }
}

policy::Policy RandomPolicy(std::mt19937_64& rng) {
  const Action actions[] = {Action::Allow(), Action::Errno(1), Action::Errno(38), Action::Log(), Action::KillProcess(),
                            Action::Trace(3)};
  const char* names[] = {"read", "ioctl", "ptrace", "mmap", "socket"};
  policy::Policy p;
  p.arches = rng() % 2 ? std::vector<Arch>{Arch::kX86_64, Arch::kX86} : std::vector<Arch>{Arch::kAarch64};
  p.default_action = actions[rng() % 3];
  p.badarch_action = Action::KillProcess();
  const int count = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < count; ++i) {
    policy::Rule rule;
    rule.action = actions[rng() % 6];
    rule.targets = {names[rng() % 5]};
    if (rng() % 3 == 0) rule.targets.push_back(names[rng() % 5]);
    if (rng() % 4 != 0) rule.condition = RandomCondition(rng, 2);
    p.rules.push_back(rule);
  }
  return p;
}

TEST(OciExport, RandomPoliciesRoundTripSemantically) {
  std::mt19937_64 rng(99);
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    policy::Policy p = RandomPolicy(rng);
    Diagnostics d;
    auto json = ExportOciJson(p, d);
    if (!json.ok()) {
      // Refused only for the expansion limit, or for 64-bit values on arguments that are 32 bits
      // wide on one of the ABIs.
      ASSERT_TRUE(json.error().code == ErrorCode::kLimit ||
                  (json.error().code == ErrorCode::kUnsupported && p.arches.size() > 1))
          << json.error().message;
      continue;
    }
    Diagnostics d2;
    auto back = ImportOciProfile(*json, "x.json", Host(p.arches[0]), d2);
    ASSERT_TRUE(back) << *json;
    for (int sample = 0; sample < 200; ++sample) {
      const Arch arch = p.arches[rng() % p.arches.size()];
      const char* names[] = {"read", "ioctl", "ptrace", "mmap", "socket"};
      auto nr = syscalls::NumberOf(arch, names[rng() % 5]);
      if (!nr) continue;
      SeccompData data;
      data.arch = GetArchInfo(arch).audit_arch;
      data.nr = static_cast<int32_t>(*nr);
      for (uint64_t& arg : data.args) arg = Pick(rng, kValues) + (rng() % 3) - 1;
      ASSERT_EQ(policy::Evaluate(p, data).action, policy::Evaluate(*back, data).action) << *json;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40000);
}

policy::Policy SmallPolicy() {
  policy::Policy p;
  p.arches = {Arch::kX86_64, Arch::kX86};
  p.default_action = Action::Errno(1);
  policy::Rule allow;
  allow.targets = {"write", "read", "exit_group"};
  p.rules.push_back(allow);
  policy::Rule clone3;
  clone3.action = Action::Errno(38);
  clone3.targets = {"clone3"};
  p.rules.push_back(clone3);
  policy::Rule log;
  log.action = Action::Log();
  log.targets = {"uname"};
  p.rules.push_back(log);
  return p;
}

TEST(OciExport, GoldenDockerJson) {
  Diagnostics d;
  auto json = ExportOciJson(SmallPolicy(), d);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "architectures": [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86"
  ],
  "syscalls": [
    {
      "names": [
        "exit_group",
        "read",
        "write"
      ],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "names": [
        "uname"
      ],
      "action": "SCMP_ACT_LOG"
    },
    {
      "names": [
        "clone3"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38
    }
  ]
}
)");
}

TEST(OciExport, RefusesWhatTheSchemaCannotSay) {
  policy::Policy p = SmallPolicy();
  p.rules[0].only_arches = {Arch::kX86_64};
  Diagnostics d;
  auto json = ExportOciJson(p, d);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(json.error().message.find("differ between ABIs"), std::string::npos) << json.error().message;

  policy::Policy with_fs = SmallPolicy();
  with_fs.fs_rules.push_back(policy::FsRule{policy::kFsReadFile, {"/etc"}, {}});
  with_fs.badarch_action = Action::Errno(1);
  Diagnostics warnings;
  ASSERT_TRUE(ExportOciJson(with_fs, warnings).ok());
  ASSERT_EQ(warnings.all().size(), 2u);
  EXPECT_NE(warnings.all()[0].message.find("fs and net"), std::string::npos);
  EXPECT_NE(warnings.all()[1].message.find("bad-arch"), std::string::npos);
}

TEST(OciExport, SixteenBitArgumentsExportAsMaskedComparisons) {
  // umode_t is 16 bits: runc's libseccomp compares 64, so the profile must mask.
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = Action::Allow();
  policy::Rule rule;
  rule.action = Action::Errno(1);
  rule.targets = {"fchmodat"};
  rule.condition = Leaf(2, CompareOp::kEq, 04755);
  p.rules = {rule};
  Diagnostics d;
  auto json = ExportOciJson(p, d);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_NE(json->find("SCMP_CMP_MASKED_EQ"), std::string::npos) << *json;
  EXPECT_NE(json->find("65535"), std::string::npos) << *json;
  LoadOptions options;
  options.host_arch = Arch::kX86_64;
  Diagnostics import_diagnostics;
  auto back = ImportOciProfile(*json, "e.json", options, import_diagnostics);
  ASSERT_TRUE(back.has_value());
  SeccompData data;
  data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
  data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "fchmodat"));
  data.args[2] = 0x109ed;  // sets mode 04755
  EXPECT_EQ(policy::Evaluate(*back, data).action, Action::Errno(1));
  EXPECT_EQ(policy::Evaluate(p, data).action, Action::Errno(1));
}

// trace's data is the tracer's 16-bit message: every value, 0 and above 4095 too, reads back.
TEST(OciExport, TraceDataOfEverySizeRoundTrips) {
  for (const uint16_t data : {uint16_t{0}, uint16_t{4096}, uint16_t{65535}}) {
    policy::Policy p;
    p.arches = {Arch::kX86_64};
    p.default_action = Action::Trace(data);
    policy::Rule rule;
    rule.action = Action::Trace(static_cast<uint16_t>(data ^ 1));  // another value: not folded into the default
    rule.targets = {"ptrace"};
    p.rules = {rule};
    Diagnostics d;
    auto json = ExportOciJson(p, d);
    ASSERT_TRUE(json.ok()) << json.error().message;
    Diagnostics back_diagnostics;
    auto back = ImportOciProfile(*json, "t.json", Host(Arch::kX86_64), back_diagnostics);
    ASSERT_TRUE(back.has_value()) << *json;
    EXPECT_EQ(back->default_action, Action::Trace(data)) << *json;
    ASSERT_EQ(back->rules.size(), 1u) << *json;
    EXPECT_EQ(back->rules[0].action, Action::Trace(static_cast<uint16_t>(data ^ 1))) << *json;
  }
}

TEST(OciExport, NamedArgumentsTakeEachAbisPosition) {
  policy::Policy p;
  p.arches = {Arch::kS390x};
  p.default_action = Action::Allow();
  policy::Rule rule;
  rule.action = Action::Errno(1);
  rule.targets = {"clone"};
  rule.condition = Leaf(policy::kNamedArgument, CompareOp::kMaskedEq, 0x10000000, 0x10000000);
  rule.condition->compare.arg_name = "clone_flags";
  p.rules = {rule};
  Diagnostics d;
  auto json = ExportOciJson(p, d);
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_NE(json->find("\"index\": 1"), std::string::npos) << *json;  // clone_flags is arg1 on s390x
  // One profile rule cannot name two registers: x86_64 and s390x must be exported apart.
  p.arches = {Arch::kX86_64, Arch::kS390x};
  auto both = ExportOciJson(p, d);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(both.error().message.find("different positions"), std::string::npos) << both.error().message;
}

TEST(KubernetesExport, GoldenYamlAndJson) {
  policy::Policy p = SmallPolicy();
  p.arches = {Arch::kX86_64};
  policy::Rule ptrace;
  ptrace.targets = {"ptrace"};
  ptrace.condition = Leaf(0, CompareOp::kNe, 16);  // request is a long: the native operator is exact
  p.rules.push_back(ptrace);
  Diagnostics d;
  auto yaml = ExportKubernetesProfile(p, "My Web_Server", KubernetesSyntax::kYaml, d);
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(*yaml, R"(apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: my-web-server
spec:
  defaultAction: SCMP_ACT_ERRNO
  architectures:
    - SCMP_ARCH_X86_64
  syscalls:
    - action: SCMP_ACT_ALLOW
      names:
        - exit_group
        - read
        - write
    - action: SCMP_ACT_LOG
      names:
        - uname
    - action: SCMP_ACT_ERRNO
      errnoRet: 38
      names:
        - clone3
    - action: SCMP_ACT_ALLOW
      names:
        - ptrace
      args:
        - index: 0
          value: 16
          op: SCMP_CMP_NE
)");
  EXPECT_TRUE(d.empty());
  auto json = ExportKubernetesProfile(p, "web", KubernetesSyntax::kJson, d);
  ASSERT_TRUE(json.ok());
  Diagnostics di;
  auto back = ImportOciProfile(*json, "k.json", Host(Arch::kX86_64), di);
  ASSERT_TRUE(back) << *json;
  ExpectSameDecisions(p, *back);
}

TEST(CHeaderExport, ArrayAndProgram) {
  bpf::Program program = {{0x20, 0, 0, 4}, {0x06, 0, 0, 0x7fff0000}};
  const std::string header = ExportCHeader(program, "9 web-server");
  EXPECT_NE(header.find("static struct sock_filter sysfence_9_web_server_filter[] = {"), std::string::npos) << header;
  EXPECT_NE(header.find("{0x0020, 0, 0, 0x00000004}"), std::string::npos) << header;
  EXPECT_NE(header.find("{0x0006, 0, 0, 0x7fff0000}"), std::string::npos) << header;
  EXPECT_NE(header.find(".len = 2,"), std::string::npos) << header;
  EXPECT_NE(header.find("#include <linux/filter.h>"), std::string::npos);
  EXPECT_EQ(header, ExportCHeader(program, "9 web-server"));
}

}  // namespace
}  // namespace sysfence::formats
