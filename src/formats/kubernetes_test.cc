// SPDX-License-Identifier: Apache-2.0
// The Kubernetes SeccompProfile writer (yaml-cpp) and reader: versions, comments, quoting, the
// CRD's int64 limit, YAML and JSON input (one object, several documents, a List), choosing one
// object by name, and errors that name the YAML line:col and the JSON path.
#include "formats/kubernetes.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/kubernetes_reader.h"
#include "formats/load.h"
#include "formats/oci_export.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace sysfence::formats {
namespace {

using policy::CompareOp;

policy::Condition Compare(int arg, CompareOp op, uint64_t value, uint64_t mask = ~uint64_t{0}) {
  policy::Condition c;
  c.compare.arg = arg;
  c.compare.op = op;
  c.compare.value = value;
  c.compare.mask = mask;
  return c;
}

policy::Policy WebPolicy() {
  policy::Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = Action::Errno(1);
  policy::Rule io;
  io.targets = {"read", "write"};
  io.comment = "seen by: web-0, web-1 (2 of 2 replicas)";
  p.rules.push_back(io);
  policy::Rule personality;
  personality.targets = {"personality"};
  personality.condition = Compare(0, CompareOp::kEq, 8);
  p.rules.push_back(personality);
  return p;
}

LoadOptions X86() {
  LoadOptions options;
  options.host_arch = Arch::kX86_64;
  return options;
}

std::string Messages(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.all()) out += d.span.ToString() + ": " + d.message + "\n";
  return out;
}

TEST(KubernetesExport, WritesV1WithCommentsAndV1beta1OnRequest) {
  Diagnostics d;
  KubernetesExportOptions options;
  options.header_comments = {"merged by sysfence"};
  options.labels = {{"spo.x-k8s.io/profile-recording", "web"}};
  auto yaml = ExportKubernetesProfile(WebPolicy(), "web-nginx", options, d);
  ASSERT_TRUE(yaml.ok()) << yaml.error().message;
  EXPECT_EQ(*yaml, R"(# merged by sysfence

apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: web-nginx
  labels:
    spo.x-k8s.io/profile-recording: web
spec:
  defaultAction: SCMP_ACT_ERRNO
  architectures:
    - SCMP_ARCH_X86_64
  syscalls:
# seen by: web-0, web-1 (2 of 2 replicas)
    - action: SCMP_ACT_ALLOW
      names:
        - read
        - write
    - action: SCMP_ACT_ALLOW
      names:
        - personality
      args:
        - index: 0
          value: 4294967295
          valueTwo: 8
          op: SCMP_CMP_MASKED_EQ
)");
  EXPECT_TRUE(d.empty());
  options.version = SeccompProfileVersion::kV1beta1;
  auto beta = ExportKubernetesProfile(WebPolicy(), "web-nginx", options, d);
  ASSERT_TRUE(beta.ok());
  EXPECT_NE(beta->find("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"), std::string::npos);
}

TEST(KubernetesExport, QuotesNamesThatYamlWouldReadAsOtherTypes) {
  Diagnostics d;
  for (const char* name : {"123", "true", "0x10", "null"}) {
    auto yaml = ExportKubernetesProfile(WebPolicy(), name, KubernetesSyntax::kYaml, d);
    ASSERT_TRUE(yaml.ok());
    EXPECT_NE(yaml->find(std::string("name: \"") + name + "\""), std::string::npos) << *yaml;
    Diagnostics back;
    EXPECT_TRUE(ImportKubernetesText(*yaml, "q.yaml", X86(), back).has_value()) << Messages(back);
  }
}

TEST(KubernetesExport, RefusesValuesTheCrdsInt64CannotHold) {
  policy::Policy p = WebPolicy();
  policy::Rule mmap;
  mmap.targets = {"mmap"};
  mmap.condition = Compare(1, CompareOp::kEq, uint64_t{1} << 63);  // length: a 64-bit argument
  p.rules.push_back(mmap);
  Diagnostics d;
  auto yaml = ExportKubernetesProfile(p, "big", KubernetesSyntax::kYaml, d);
  ASSERT_FALSE(yaml.ok());
  EXPECT_EQ(yaml.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(yaml.error().message.find("int64"), std::string::npos) << yaml.error().message;
  Diagnostics oci;
  EXPECT_TRUE(ExportOciJson(p, oci).ok());  // the OCI schema has uint64 values
}

TEST(KubernetesImport, ReadsBackYamlAndJsonWithTheSameDecisions) {
  for (KubernetesSyntax syntax : {KubernetesSyntax::kYaml, KubernetesSyntax::kJson}) {
    Diagnostics d;
    auto text = ExportKubernetesProfile(WebPolicy(), "web", syntax, d);
    ASSERT_TRUE(text.ok());
    Diagnostics back;
    auto policy = LoadPolicyText(*text, "web.k8s", X86(), back);
    ASSERT_TRUE(policy.has_value()) << Messages(back) << *text;
    EXPECT_TRUE(back.empty()) << Messages(back);
    SeccompData data;
    data.arch = GetArchInfo(Arch::kX86_64).audit_arch;
    data.nr = static_cast<int32_t>(*syscalls::NumberOf(Arch::kX86_64, "personality"));
    for (uint64_t arg : {uint64_t{8}, uint64_t{9}, (uint64_t{1} << 32) | 8}) {
      data.args[0] = arg;
      EXPECT_EQ(policy::Evaluate(*policy, data).action, policy::Evaluate(WebPolicy(), data).action) << arg;
    }
  }
}

constexpr const char* kTwoProfiles = R"(# a binding and two profiles
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: ProfileBinding
metadata:
  name: bind
spec:
  image: nginx
  profileRef: {kind: SeccompProfile, name: a}
---
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: a
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - {action: SCMP_ACT_ALLOW, names: [read]}
---
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: b
spec:
  defaultAction: SCMP_ACT_ALLOW
)";

TEST(KubernetesImport, ChoosesOneOfSeveralDocumentsByName) {
  Diagnostics several;
  EXPECT_FALSE(LoadPolicyText(kTwoProfiles, "two.yaml", X86(), several).has_value());
  ASSERT_EQ(several.error_count(), 1u);
  EXPECT_EQ(several.all()[0].message, "2 SeccompProfiles here (a, b)");
  EXPECT_EQ(several.all()[0].hint, "choose one: 'two.yaml#NAME'");
  LoadOptions named = X86();
  named.object_name = "b";
  Diagnostics d;
  auto b = LoadPolicyText(kTwoProfiles, "two.yaml", named, d);
  ASSERT_TRUE(b.has_value()) << Messages(d);
  EXPECT_EQ(b->default_action, Action::Allow());
  named.object_name = "c";
  Diagnostics missing;
  EXPECT_FALSE(LoadPolicyText(kTwoProfiles, "two.yaml", named, missing).has_value());
  EXPECT_EQ(missing.all().at(0).message, "no SeccompProfile named 'c' here (there are: a, b)");
}

TEST(KubernetesImport, ReadsListsInYamlAndJson) {
  const char* yaml_list = R"(apiVersion: v1
kind: List
items:
- apiVersion: security-profiles-operator.x-k8s.io/v1
  kind: SeccompProfile
  metadata: {name: only}
  spec: {defaultAction: SCMP_ACT_LOG}
)";
  const char* json_list = R"({"apiVersion": "v1", "kind": "SeccompProfileList", "items": [
  {"apiVersion": "security-profiles-operator.x-k8s.io/v1", "kind": "SeccompProfile",
   "metadata": {"name": "only"}, "spec": {"defaultAction": "SCMP_ACT_LOG"}}]})";
  for (const char* text : {yaml_list, json_list}) {
    Diagnostics d;
    auto policy = LoadPolicyText(text, "list", X86(), d);
    ASSERT_TRUE(policy.has_value()) << Messages(d);
    EXPECT_EQ(policy->default_action, Action::Log());
  }
}

TEST(KubernetesImport, ErrorsNameLineColumnAndPath) {
  const char* text = R"(apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: bad
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - action: SCMP_ACT_ALOW
    names: [read]
  - action: SCMP_ACT_ALLOW
    names: [write]
    args:
    - {index: 9, value: 1, op: SCMP_CMP_EQ}
)";
  Diagnostics d;
  EXPECT_FALSE(LoadPolicyText(text, "bad.yaml", X86(), d).has_value());
  ASSERT_EQ(d.error_count(), 2u) << Messages(d);
  EXPECT_EQ(d.all()[0].span.ToString(), "bad.yaml:8:13: $.spec.syscalls[0].action");
  EXPECT_EQ(d.all()[0].message, "unknown action 'SCMP_ACT_ALOW'");
  EXPECT_EQ(d.all()[1].span.ToString(), "bad.yaml:13:15: $.spec.syscalls[1].args[0].index");
}

TEST(KubernetesImport, RejectsMalformedAndForeignInput) {
  struct Case {
    const char* text;
    const char* where;
    const char* message;
  };
  const Case cases[] = {
      {"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec: [unclosed\n", "m.yaml:4:1", "malformed YAML"},
      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "m.yaml", "no SeccompProfile here (found: ConfigMap)"},
      {"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: n}\nspec: {defaultAction: !!binary AAAA}\n",
       "m.yaml:4:23", "unsupported YAML tag"},
      {"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: n}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n"
       "  syscalls: [{action: SCMP_ACT_ALLOW, names: [ioctl], args: [{index: 1, op: SCMP_CMP_EQ, "
       "value: 99999999999999999999}]}]\n",
       "m.yaml:6:", "out of the 64-bit range"},
      {"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: n}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n"
       "  syscalls: [{action: SCMP_ACT_ALLOW, names: read}]\n",
       "m.yaml:6:46: $.spec.syscalls[0].names", "expected an array of strings, got a string"},
  };
  for (const Case& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(LoadPolicyText(c.text, "m.yaml", X86(), d).has_value()) << c.text;
    ASSERT_EQ(d.error_count(), 1u) << Messages(d) << c.text;
    EXPECT_TRUE(d.empty() == false && d.warning_count() == 0) << Messages(d);
    const Diagnostic& error = d.all()[0];
    EXPECT_TRUE(error.span.ToString().starts_with(c.where)) << error.span.ToString() << " for " << c.text;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << error.message;
  }
}

TEST(KubernetesImport, RefusesAliasBombs) {
  std::string text = "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: n}\nbomb:\n  a0: &a0 [x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    text += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 8; ++j) text += std::string(j ? ", " : "") + "*a" + std::to_string(i - 1);
    text += "]\n";
  }
  text += "spec: {defaultAction: SCMP_ACT_LOG}\n";
  Diagnostics d;
  EXPECT_FALSE(LoadPolicyText(text, "bomb.yaml", X86(), d).has_value());
  ASSERT_EQ(d.error_count(), 1u) << Messages(d);
  EXPECT_NE(d.all()[0].message.find("more than 1000000 nodes"), std::string::npos) << d.all()[0].message;
}

TEST(KubernetesImport, SfpIsNotMistakenForYaml) {
  EXPECT_FALSE(LooksLikeKubernetesYaml("# a policy\narch x86_64\ndefault errno EPERM\nallow read\n"));
  EXPECT_TRUE(LooksLikeKubernetesYaml("# a profile\n\napiVersion: v1\n"));
  EXPECT_TRUE(LooksLikeKubernetesYaml("---\nkind: SeccompProfile\n"));
}

}  // namespace
}  // namespace sysfence::formats
