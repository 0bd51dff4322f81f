// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_import.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "formats/load.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"
#include "tests/support/test_paths.h"

namespace sysfence::formats {
namespace {

constexpr uint32_t kAuditX86_64 = 0xC000003Eu;

std::string MobyProfile() {
  std::ifstream in(sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

LoadOptions X86Host(std::set<std::string> caps = {}, std::string kernel = "6.1") {
  LoadOptions options;
  options.host_arch = Arch::kX86_64;
  options.capabilities = std::move(caps);
  options.kernel_version = std::move(kernel);
  return options;
}

struct Loaded {
  std::optional<policy::Policy> policy;
  Diagnostics diagnostics;
};

Loaded Import(const std::string& json, const LoadOptions& options = X86Host()) {
  Loaded out;
  out.policy = ImportOciProfile(json, "p.json", options, out.diagnostics);
  return out;
}

Action Decide(const policy::Policy& p, std::string_view name, uint64_t a0 = 0, uint64_t a1 = 0,
              uint64_t a2 = 0) {
  SeccompData data;
  data.arch = kAuditX86_64;
  data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, name));
  data.args[0] = a0;
  data.args[1] = a1;
  data.args[2] = a2;
  return policy::Evaluate(p, data).action;
}

std::string Messages(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& x : d.all()) out += RenderDiagnostic(x) + "\n";
  return out;
}

TEST(MobyProfile, ImportsCleanlyWithItsArchMapAndDefault) {
  const std::string moby = MobyProfile();
  ASSERT_FALSE(moby.empty()) << "tests/data/moby-default.json not found in the source tree";
  Loaded loaded = Import(moby);
  ASSERT_TRUE(loaded.policy) << Messages(loaded.diagnostics);
  EXPECT_TRUE(loaded.diagnostics.empty()) << Messages(loaded.diagnostics);
  const policy::Policy& p = *loaded.policy;
  EXPECT_EQ(p.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kX86, Arch::kX32}));
  EXPECT_EQ(p.default_action, Action::Errno(1));
  // Selected for an x86_64 host without capabilities: the big allow list, ptrace & co (minKernel
  // 4.8), 3 socket rules, 5 personality rules, arch_prctl, modify_ldt, clone and clone3.
  EXPECT_EQ(p.rules.size(), 14u);
  EXPECT_GT(p.rules[0].targets.size(), 300u);
  EXPECT_EQ(p.rules[0].span.json_path, "$.syscalls[0]");
}

TEST(MobyProfile, DecidesLikeDockerWithoutCapabilities) {
  Loaded loaded = Import(MobyProfile());
  ASSERT_TRUE(loaded.policy);
  const policy::Policy& p = *loaded.policy;
  EXPECT_EQ(Decide(p, "clone3"), Action::Errno(38));  // ENOSYS: libc falls back to clone
  EXPECT_EQ(Decide(p, "read"), Action::Allow());
  EXPECT_EQ(Decide(p, "mount"), Action::Errno(1));
  EXPECT_EQ(Decide(p, "ptrace"), Action::Allow());
  EXPECT_EQ(Decide(p, "arch_prctl"), Action::Allow());
  EXPECT_EQ(Decide(p, "socket", 2), Action::Allow());      // AF_INET
  EXPECT_EQ(Decide(p, "socket", 40), Action::Errno(1));    // AF_VSOCK
  EXPECT_EQ(Decide(p, "personality", 8), Action::Allow());
  EXPECT_EQ(Decide(p, "personality", 1), Action::Errno(1));
  EXPECT_EQ(Decide(p, "clone", 0x11), Action::Allow());            // SIGCHLD
  EXPECT_EQ(Decide(p, "clone", 0x10000000), Action::Errno(1));     // CLONE_NEWUSER
}

TEST(MobyProfile, CapabilitiesChooseRules) {
  Loaded admin = Import(MobyProfile(), X86Host({"CAP_SYS_ADMIN"}));
  ASSERT_TRUE(admin.policy) << Messages(admin.diagnostics);
  EXPECT_EQ(Decide(*admin.policy, "mount"), Action::Allow());
  EXPECT_EQ(Decide(*admin.policy, "clone3"), Action::Allow());
  EXPECT_EQ(Decide(*admin.policy, "clone", 0x10000000), Action::Allow());
  EXPECT_EQ(Decide(*admin.policy, "reboot"), Action::Errno(1));
  Loaded boot = Import(MobyProfile(), X86Host({"CAP_SYS_BOOT"}));
  ASSERT_TRUE(boot.policy);
  EXPECT_EQ(Decide(*boot.policy, "reboot"), Action::Allow());
  EXPECT_EQ(Decide(*boot.policy, "mount"), Action::Errno(1));
}

TEST(MobyProfile, OldKernelDropsMinKernelRules) {
  Loaded old = Import(MobyProfile(), X86Host({}, "4.4.0-210-generic"));
  ASSERT_TRUE(old.policy);
  EXPECT_EQ(Decide(*old.policy, "ptrace"), Action::Errno(1));
  Loaded unknown = Import(MobyProfile(), X86Host({}, ""));
  ASSERT_TRUE(unknown.policy);
  EXPECT_EQ(Decide(*unknown.policy, "ptrace"), Action::Allow());
}

TEST(MobyProfile, HostArchChoosesArchMapEntryAndArchRules) {
  LoadOptions arm = X86Host();
  arm.host_arch = Arch::kAarch64;
  Loaded loaded = Import(MobyProfile(), arm);
  ASSERT_TRUE(loaded.policy) << Messages(loaded.diagnostics);
  EXPECT_EQ(loaded.policy->arches, (std::vector<Arch>{Arch::kAarch64, Arch::kArm}));
  bool has_arch_prctl = false;
  for (const policy::Rule& rule : loaded.policy->rules) {
    for (const std::string& t : rule.targets) has_arch_prctl |= t == "arch_prctl";
  }
  EXPECT_FALSE(has_arch_prctl);
}

TEST(OciImport, ActionsMapAsRuncDoes) {
  struct Case {
    const char* json_action;
    const char* errno_ret;
    Action expected;
  };
  const Case cases[] = {
      {"SCMP_ACT_ALLOW", nullptr, Action::Allow()},
      {"SCMP_ACT_LOG", nullptr, Action::Log()},
      {"SCMP_ACT_ERRNO", nullptr, Action::Errno(1)},
      {"SCMP_ACT_ERRNO", "38", Action::Errno(38)},
      {"SCMP_ACT_TRACE", nullptr, Action::Trace(1)},
      {"SCMP_ACT_TRACE", "7", Action::Trace(7)},
      // SCMP_ACT_TRACE's value is the tracer's 16-bit message (SECCOMP_RET_DATA), not an errno.
      {"SCMP_ACT_TRACE", "0", Action::Trace(0)},
      {"SCMP_ACT_TRACE", "4096", Action::Trace(4096)},
      {"SCMP_ACT_TRACE", "65535", Action::Trace(65535)},
      {"SCMP_ACT_ERRNO", "4095", Action::Errno(4095)},
      {"SCMP_ACT_TRAP", nullptr, Action::Trap()},
      {"SCMP_ACT_KILL", nullptr, Action::KillThread()},
      {"SCMP_ACT_KILL_THREAD", nullptr, Action::KillThread()},
      {"SCMP_ACT_KILL_PROCESS", nullptr, Action::KillProcess()},
      {"SCMP_ACT_NOTIFY", nullptr, Action::Notify()},
  };
  for (const Case& c : cases) {
    std::string json = std::string(R"({"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["read"],"action":")") +
                       c.json_action + "\"" + (c.errno_ret ? std::string(",\"errnoRet\":") + c.errno_ret : "") + "}]}";
    if (std::string(c.json_action) == "SCMP_ACT_KILL_PROCESS") continue;
    Loaded loaded = Import(json);
    ASSERT_TRUE(loaded.policy) << json << Messages(loaded.diagnostics);
    ASSERT_EQ(loaded.policy->rules.size(), 1u) << json;
    EXPECT_EQ(loaded.policy->rules[0].action, c.expected) << json;
  }
  Loaded defaults = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38})");
  ASSERT_TRUE(defaults.policy);
  EXPECT_EQ(defaults.policy->default_action, Action::Errno(38));
  Loaded trace_default = Import(R"({"defaultAction":"SCMP_ACT_TRACE","defaultErrnoRet":40000})");
  ASSERT_TRUE(trace_default.policy) << Messages(trace_default.diagnostics);
  EXPECT_EQ(trace_default.policy->default_action, Action::Trace(40000));
}

// Each action's value has its own range, and an error names the JSON path and the action's range.
TEST(OciImport, ErrnoRetRangeDependsOnTheAction) {
  struct Case {
    std::string json;
    const char* where;
    const char* message;
  };
  const std::string head = R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":")";
  const Case cases[] = {
      {head + R"(SCMP_ACT_TRACE","errnoRet":65536}]})", "$.syscalls[0].errnoRet", "out of range 0..65535"},
      {head + R"(SCMP_ACT_TRACE","errnoRet":-1}]})", "$.syscalls[0].errnoRet", "expected an unsigned integer"},
      {head + R"(SCMP_ACT_ERRNO","errnoRet":4096}]})", "$.syscalls[0].errnoRet", "out of range 1..4095"},
      {head + R"(SCMP_ACT_ERRNO","errnoRet":0}]})", "$.syscalls[0].errnoRet", "out of range 1..4095"},
      {R"({"defaultAction":"SCMP_ACT_TRACE","defaultErrnoRet":70000})", "$.defaultErrnoRet", "out of range 0..65535"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":4096})", "$.defaultErrnoRet", "out of range 1..4095"},
  };
  for (const Case& c : cases) {
    Loaded loaded = Import(c.json);
    EXPECT_FALSE(loaded.policy) << c.json;
    const std::string text = Messages(loaded.diagnostics);
    EXPECT_EQ(loaded.diagnostics.error_count(), 1u) << c.json << "\n" << text;
    EXPECT_NE(text.find(c.where), std::string::npos) << c.json << "\n" << text;
    EXPECT_NE(text.find(c.message), std::string::npos) << c.json << "\n" << text;
  }
  // A value on an action that carries none is warned about and ignored, whatever its size.
  Loaded ignored = Import(head + R"(SCMP_ACT_TRAP","errnoRet":70000}]})");
  ASSERT_TRUE(ignored.policy) << Messages(ignored.diagnostics);
  EXPECT_EQ(ignored.policy->rules.at(0).action, Action::Trap());
  EXPECT_NE(Messages(ignored.diagnostics).find("$.syscalls[0].errnoRet"), std::string::npos);
}

TEST(OciImport, OperatorsAndMaskedValues) {
  const std::pair<const char*, policy::CompareOp> ops[] = {
      {"SCMP_CMP_NE", policy::CompareOp::kNe}, {"SCMP_CMP_LT", policy::CompareOp::kLt},
      {"SCMP_CMP_LE", policy::CompareOp::kLe}, {"SCMP_CMP_EQ", policy::CompareOp::kEq},
      {"SCMP_CMP_GE", policy::CompareOp::kGe}, {"SCMP_CMP_GT", policy::CompareOp::kGt},
  };
  for (const auto& [name, op] : ops) {
    Loaded loaded = Import(std::string(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","args":[{"index":3,"value":18446744073709551615,"op":")") + name + "\"}]}]}");
    ASSERT_TRUE(loaded.policy) << name << Messages(loaded.diagnostics);
    const auto& condition = loaded.policy->rules.at(0).condition;
    ASSERT_TRUE(condition);
    EXPECT_EQ(condition->compare.op, op);
    EXPECT_EQ(condition->compare.arg, 3);
    EXPECT_EQ(condition->compare.value, ~uint64_t{0});
  }
  // value is the mask, valueTwo the datum, masked as libseccomp does.
  Loaded masked = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW",
      "args":[{"index":0,"value":240,"valueTwo":31,"op":"SCMP_CMP_MASKED_EQ"}]}]})");
  ASSERT_TRUE(masked.policy);
  const auto& c = masked.policy->rules.at(0).condition->compare;
  EXPECT_EQ(c.op, policy::CompareOp::kMaskedEq);
  EXPECT_EQ(c.mask, 240u);
  EXPECT_EQ(c.value, 16u);
}

TEST(OciImport, ArgumentsOfOneRuleAreAndedUnlessAnIndexRepeats) {
  Loaded anded = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW",
      "args":[{"index":1,"value":5,"op":"SCMP_CMP_EQ"},{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]}]})");
  ASSERT_TRUE(anded.policy);
  EXPECT_EQ(Decide(*anded.policy, "ptrace", 3, 5), Action::Allow());
  EXPECT_EQ(Decide(*anded.policy, "ptrace", 3, 4), Action::Errno(1));
  Loaded ored = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW",
      "args":[{"index":0,"value":5,"op":"SCMP_CMP_EQ"},{"index":0,"value":6,"op":"SCMP_CMP_EQ"}]}]})");
  ASSERT_TRUE(ored.policy);
  EXPECT_TRUE(ored.diagnostics.HasWarnings());
  EXPECT_EQ(Decide(*ored.policy, "ptrace", 5), Action::Allow());
  EXPECT_EQ(Decide(*ored.policy, "ptrace", 6), Action::Allow());
  EXPECT_EQ(Decide(*ored.policy, "ptrace", 7), Action::Errno(1));
}

TEST(OciImport, IncludesNeedEveryCapExcludesAnyCap) {
  const std::string json = R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
      {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_A","CAP_B"]}},
      {"names":["umount2"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_A","CAP_C"]}},
      {"names":["chroot"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.10"}},
      {"names":["acct"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"5.10"}},
      {"names":["sync"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}},
      {"names":["syncfs"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["arm64","amd64"]}}]})";
  auto names = [](const policy::Policy& p) {
    std::set<std::string> out;
    for (const auto& r : p.rules) out.insert(r.targets.begin(), r.targets.end());
    return out;
  };
  Loaded only_a = Import(json, X86Host({"CAP_A"}, "5.4"));
  ASSERT_TRUE(only_a.policy) << Messages(only_a.diagnostics);
  EXPECT_EQ(names(*only_a.policy), (std::set<std::string>{"acct", "syncfs"}));
  Loaded both = Import(json, X86Host({"CAP_A", "CAP_B"}, "5.10.1"));
  ASSERT_TRUE(both.policy);
  EXPECT_EQ(names(*both.policy), (std::set<std::string>{"mount", "chroot", "syncfs"}));
  Loaded none = Import(json, X86Host({}, "6.0"));
  ASSERT_TRUE(none.policy);
  EXPECT_EQ(names(*none.policy), (std::set<std::string>{"umount2", "chroot", "syncfs"}));
}

TEST(OciImport, ArchitecturesCommentFlagsAndListener) {
  Loaded loaded = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86","SCMP_ARCH_MIPS"],
      "flags":["SECCOMP_FILTER_FLAG_LOG"],"listenerPath":"/run/x.sock",
      "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"needed"}]})");
  ASSERT_TRUE(loaded.policy) << Messages(loaded.diagnostics);
  EXPECT_EQ(loaded.policy->arches, (std::vector<Arch>{Arch::kX86_64, Arch::kX86}));
  EXPECT_EQ(loaded.policy->flags, (std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"}));
  EXPECT_EQ(loaded.policy->rules.at(0).comment, "needed");
  std::string text = Messages(loaded.diagnostics);
  EXPECT_NE(text.find("SCMP_ARCH_MIPS"), std::string::npos) << text;
  EXPECT_NE(text.find("listenerPath"), std::string::npos) << text;
}

TEST(OciImport, UnknownSyscallsAndFieldsAreWarnings) {
  Loaded loaded = Import(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","raed","@basic-io"],
      "action":"SCMP_ACT_ALLOW","errnoret":5}]})");
  ASSERT_TRUE(loaded.policy) << Messages(loaded.diagnostics);
  EXPECT_EQ(loaded.policy->rules.at(0).targets, (std::vector<std::string>{"read"}));
  const std::string text = Messages(loaded.diagnostics);
  EXPECT_NE(text.find("$.syscalls[0].names[1]"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean 'read'"), std::string::npos) << text;
  EXPECT_NE(text.find("$.syscalls[0].names[2]"), std::string::npos) << text;
  EXPECT_NE(text.find("errnoRet"), std::string::npos) << text;  // suggested for 'errnoret'
}

TEST(OciImport, KubernetesSeccompProfileAndRuntimeConfig) {
  Loaded k8s = Import(R"({"apiVersion":"security-profiles-operator.x-k8s.io/v1beta1","kind":"SeccompProfile",
      "metadata":{"name":"x"},"spec":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
      "syscalls":[{"action":"SCMP_ACT_ALLOW","names":["read"],"args":[{"index":0,"op":"SCMP_CMP_EQ"}]}]}})");
  ASSERT_TRUE(k8s.policy) << Messages(k8s.diagnostics);
  EXPECT_TRUE(k8s.diagnostics.empty()) << Messages(k8s.diagnostics);
  EXPECT_EQ(Decide(*k8s.policy, "read", 0), Action::Allow());
  EXPECT_EQ(Decide(*k8s.policy, "read", 1), Action::Errno(1));
  Loaded bad = Import(R"({"kind":"SeccompProfile","apiVersion":"security-profiles-operator.x-k8s.io/v1beta1",
      "spec":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"ALLOW","names":["read"]}]}})");
  EXPECT_FALSE(bad.policy);
  EXPECT_NE(Messages(bad.diagnostics).find("$.spec.syscalls[0].action"), std::string::npos);
  Loaded config = Import(R"({"ociVersion":"1.0.2","process":{},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}}})");
  ASSERT_TRUE(config.policy) << Messages(config.diagnostics);
  EXPECT_EQ(Decide(*config.policy, "mount"), Action::Errno(1));
  EXPECT_EQ(Decide(*config.policy, "read"), Action::Allow());
}

// Each bad input: one error whose location names the offending value.
TEST(OciImport, ErrorsNameTheJsonPath) {
  struct Case {
    std::string json;
    std::string where;    // expected in the rendered error
    std::string message;  // expected in the rendered error
  };
  const std::string head = R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[)";
  const std::vector<Case> cases = {
      {R"({"defaultAction": })", "p.json:1:19", "malformed JSON at byte 18"},
      {"{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  ]", "p.json:3:3", "malformed JSON"},
      {"[]", "$", "must be a JSON object"},
      {R"({"syscalls":[]})", "$", "missing required field 'defaultAction'"},
      {R"({"defaultAction":5})", "$.defaultAction", "expected a string, got a number"},
      {R"({"defaultAction":"SCMP_ACT_ALOW"})", "$.defaultAction", "did you mean 'SCMP_ACT_ALLOW'"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000})", "$.defaultErrnoRet", "out of range 1..4095"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_46"]})", "$.architectures[0]",
       "unknown architecture"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86"}]})",
       "$.archMap", "both 'architectures' and 'archMap'"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"subArchitectures":[]}]})", "$.archMap[0]",
       "missing required field 'architecture'"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_LOGG"]})", "$.flags[0]",
       "unknown seccomp filter flag"},
      {R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":{}})", "$.syscalls", "expected an array"},
      {head + R"({"action":"SCMP_ACT_ALLOW"}]})", "$.syscalls[0]", "missing required field 'names'"},
      {head + R"({"names":["read"]}]})", "$.syscalls[0]", "missing required field 'action'"},
      {head + R"({"names":[1],"action":"SCMP_ACT_ALLOW"}]})", "$.syscalls[0].names[0]", "expected a string"},
      {head + R"({"names":[""],"action":"SCMP_ACT_ALLOW"}]})", "$.syscalls[0].names[0]", "empty syscall name"},
      {head + R"({"names":["read"],"name":"read","action":"SCMP_ACT_ALLOW"}]})", "$.syscalls[0]", "both 'name' and 'names'"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_DENY"}]})", "$.syscalls[0].action", "unknown action"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":0}]})", "$.syscalls[0].errnoRet", "out of range"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":4096}]})", "$.syscalls[0].errnoRet", "out of range"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":-1}]})", "$.syscalls[0].errnoRet",
       "expected an unsigned integer, got -1"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":{}}]})", "$.syscalls[0].args", "expected an array"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[0].args[0].index", "out of range 0..5"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQUAL"}]}]})",
       "$.syscalls[0].args[0].op", "unknown comparison operator"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1}]}]})", "$.syscalls[0].args[0]",
       "missing required field 'op'"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"value":1,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[0].args[0]", "missing required field 'index'"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[0].args[0].value", "unsigned integer"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1.5,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[0].args[0].value", "fractional"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":"0","value":1,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[0].args[0].index", "got a string"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"four"}}]})",
       "$.syscalls[0].includes.minKernel", "MAJOR.MINOR"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"caps":"CAP_SYS_ADMIN"}}]})",
       "$.syscalls[0].includes.caps", "expected an array of strings"},
      {head + R"({"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":[]}]})", "$.syscalls[0].excludes",
       "expected an object"},
      {head + R"({"names":["ptrace"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
                 {"names":["ptrace"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]})",
       "$.syscalls[1]", "EEXIST"},
      {std::string(100, '[') + std::string(100, ']'), "$", "nested deeper"},
      {R"({"kind":"SeccompProfile","apiVersion":"security-profiles-operator.x-k8s.io/v1beta1"})", "$.spec",
       "missing 'spec'"},
  };
  for (const Case& c : cases) {
    Loaded loaded = Import(c.json);
    EXPECT_FALSE(loaded.policy) << c.json;
    ASSERT_TRUE(loaded.diagnostics.HasErrors()) << c.json;
    const std::string text = Messages(loaded.diagnostics);
    EXPECT_NE(text.find(c.where), std::string::npos) << c.json << "\n" << text;
    EXPECT_NE(text.find(c.message), std::string::npos) << c.json << "\n" << text;
  }
  // A bad kernel version given by the caller is an error too.
  EXPECT_FALSE(Import(R"({"defaultAction":"SCMP_ACT_ERRNO"})", X86Host({}, "latest")).policy);
}

TEST(LoadPolicyText, DispatchesOnTheFirstByte) {
  Diagnostics diagnostics;
  auto json = LoadPolicyText("  \n{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "a.json", X86Host(), diagnostics);
  ASSERT_TRUE(json) << Messages(diagnostics);
  EXPECT_EQ(json->default_action, Action::Allow());
  Diagnostics sfp_diagnostics;
  auto sfp = LoadPolicyText("arch x86_64\ndefault errno EPERM\nallow read\n", "a.sfp", X86Host(), sfp_diagnostics);
  ASSERT_TRUE(sfp) << Messages(sfp_diagnostics);
  EXPECT_EQ(sfp->rules.size(), 1u);
  Diagnostics missing;
  EXPECT_FALSE(LoadPolicyFile("/nonexistent/p.json", X86Host(), missing));
  EXPECT_TRUE(missing.HasErrors());
}

TEST(ParseKernelRelease, ReadsMajorMinor) {
  EXPECT_EQ(ParseKernelRelease("6.18.0-1-amd64"), std::make_pair(6, 18));
  EXPECT_EQ(ParseKernelRelease("4.8"), std::make_pair(4, 8));
  EXPECT_FALSE(ParseKernelRelease("6"));
  EXPECT_FALSE(ParseKernelRelease("x.1"));
  EXPECT_FALSE(ParseKernelRelease(""));
}

}  // namespace
}  // namespace sysfence::formats
