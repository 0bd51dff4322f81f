// SPDX-License-Identifier: Apache-2.0
// Export -> import round trips compile to the same filter: Docker's default profile (with and
// without CAP_SYS_ADMIN, one ABI and three) and every policy in examples/, through OCI JSON and
// through a Kubernetes SeccompProfile (YAML and JSON). "Same" is checked twice: the programs have
// the same instruction count (and bytes), and the equivalence checker proves that they decide
// every seccomp_data alike. Random policies (the differential generator's shapes) are proven
// equal too, without the instruction count (their order of rules is not canonical).
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "formats/kubernetes.h"
#include "formats/load.h"
#include "formats/oci_export.h"
#include "inspect/equivalence.h"
#include "policy/policy.h"
#include "policy/printer.h"
#include "tests/support/random_policy.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

std::string Messages(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics.all()) out += d.span.ToString() + ": " + d.message + "\n";
  return out;
}

enum class Via { kOciJson, kKubernetesYaml, kKubernetesJson };

std::string ViaName(Via via) {
  switch (via) {
    case Via::kOciJson: return "oci-json";
    case Via::kKubernetesYaml: return "k8s-yaml";
    case Via::kKubernetesJson: return "k8s-json";
  }
  return "?";
}

// The policy written in `via` and read back (on a host of the policy's first ABI, as --arch does);
// nullopt when the export warned that it loses something (a SeccompProfile has no defaultErrnoRet).
std::optional<policy::Policy> ThroughFormat(const policy::Policy& original, Via via) {
  Diagnostics export_diagnostics;
  Result<std::string> text =
      via == Via::kOciJson
          ? formats::ExportOciJson(original, export_diagnostics)
          : formats::ExportKubernetesProfile(original, "roundtrip",
                                             via == Via::kKubernetesYaml ? formats::KubernetesSyntax::kYaml
                                                                         : formats::KubernetesSyntax::kJson,
                                             export_diagnostics);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
  if (!text.ok()) return policy::Policy{};
  if (export_diagnostics.HasWarnings()) {
    EXPECT_NE(via, Via::kOciJson) << "the OCI export of a policy without fs/net rules warned";
    return std::nullopt;
  }
  formats::LoadOptions options;
  options.host_arch = original.arches.front();
  Diagnostics import_diagnostics;
  auto back = formats::LoadPolicyText(*text, via == Via::kKubernetesYaml ? "rt.yaml" : "rt.json", options,
                                      import_diagnostics);
  EXPECT_TRUE(back.has_value()) << Messages(import_diagnostics) << *text;
  EXPECT_EQ(import_diagnostics.error_count(), 0u);
  return back.value_or(policy::Policy{});
}

bpf::Program CompileOrFail(const policy::Policy& policy) {
  auto program = codegen::Compile(policy);
  EXPECT_TRUE(program.ok()) << (program.ok() ? "" : program.error().message);
  return program.ok() ? *program : bpf::Program{};
}

// How `original` compares with itself read back: kSize (same instruction count, and decisions),
// kBytes (the same program), kDecisions (decisions only).
enum class Same { kDecisions, kSize, kBytes };

// Round trips the equivalence checker proved.
int proven_ = 0;

std::string Describe(const SeccompData& data) {
  std::string out = "arch " + std::to_string(data.arch) + " nr " + std::to_string(data.nr);
  for (uint64_t arg : data.args) out += " " + std::to_string(arg);
  return out;
}

void ExpectSameFilter(const policy::Policy& original, const std::string& what, Same same) {
  const bpf::Program before = CompileOrFail(original);
  for (Via via : {Via::kOciJson, Via::kKubernetesYaml, Via::kKubernetesJson}) {
    SCOPED_TRACE(what + " via " + ViaName(via));
    const std::optional<policy::Policy> back = ThroughFormat(original, via);
    if (!back) continue;  // lossy for this format, and said so
    const bpf::Program after = CompileOrFail(*back);
    if (same != Same::kDecisions) {
      EXPECT_EQ(after.size(), before.size());
    }
    if (same == Same::kBytes) {
      EXPECT_TRUE(after == before) << "same size, other instructions";
    }
    inspect::EquivalenceOptions options;
    // Random policies can split the input space very finely, or order 16-bit words the explorer
    // cannot describe; those are not proven here (the sampled round trips in oci_export_test are).
    if (same == Same::kDecisions) options.max_regions = 20000;
    auto report = inspect::CheckEquivalence({before}, {after}, options);
    if (same == Same::kDecisions && !report.ok() &&
        (report.error().code == ErrorCode::kLimit || report.error().code == ErrorCode::kUnsupported)) {
      continue;
    }
    ASSERT_TRUE(report.ok()) << report.error().message;
    ++proven_;
    EXPECT_TRUE(report->Equivalent()) << report->difference_count << " regions differ, first: "
                                      << (report->differences.empty() ? "" : Describe(report->differences[0].witness))
                                      << "\n" << policy::PrintPolicy(original);
    EXPECT_GT(report->regions, 0u);
  }
}

policy::Policy Load(const std::string& path, const formats::LoadOptions& options) {
  Diagnostics diagnostics;
  auto policy = formats::LoadPolicyFile(path, options, diagnostics);
  EXPECT_TRUE(policy.has_value()) << path << ": " << Messages(diagnostics);
  return policy.value_or(policy::Policy{});
}

TEST(RoundTrip, DockerDefaultProfileCompilesToTheSameFilter) {
  const std::string path = test_paths::SourceDir() + "/tests/data/moby-default.json";
  for (const std::set<std::string>& caps : {std::set<std::string>{}, std::set<std::string>{"CAP_SYS_ADMIN"}}) {
    for (bool only_x86_64 : {true, false}) {
      formats::LoadOptions options;
      options.host_arch = Arch::kX86_64;
      options.capabilities = caps;
      policy::Policy moby = Load(path, options);
      if (only_x86_64) moby.arches = {Arch::kX86_64};
      ExpectSameFilter(moby, std::string("moby") + (caps.empty() ? "" : " +CAP_SYS_ADMIN") +
                                 (only_x86_64 ? " x86_64" : " x86_64,x86,x32"),
                       Same::kBytes);
    }
  }
}

TEST(RoundTrip, ExamplesCompileToTheSameFilter) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(test_paths::SourceDir() + "/examples")) {
    if (entry.path().extension() == ".sfp") paths.push_back(entry.path());
  }
  paths.push_back(test_paths::SourceDir() + "/tests/data/recorded-busybox.sfp");
  ASSERT_GE(paths.size(), 4u);
  for (const std::string& path : paths) {
    policy::Policy policy = Load(path, {});
    policy.fs_rules.clear();  // Landlock: no place in a seccomp profile
    policy.net_rules.clear();
    ExpectSameFilter(policy, path, Same::kSize);
  }
}

bool Traces(const policy::Policy& policy) {
  auto big = [](const Action& a) { return a.kind == ActionKind::kTrace; };
  if (big(policy.default_action)) return true;
  for (const policy::Rule& rule : policy.rules) {
    if (big(rule.action)) return true;
  }
  return false;
}

TEST(RoundTrip, RandomPoliciesDecideTheSame) {
  policy::RandomPolicyOptions options;
  options.only_arches = false;  // a profile has no per-ABI rules
  options.fs_and_net = false;
  options.max_rules = 6;
  options.max_condition_depth = 2;
  proven_ = 0;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    policy::Policy policy = policy::RandomPolicy(seed, options);
    // A profile cannot carry the bad-arch action: read back, it is the default kill-process.
    policy.badarch_action = Action::KillProcess();
    if (!codegen::Compile(policy).ok()) continue;  // past the instruction limit
    Diagnostics diagnostics;
    // Refused (per-ABI rules, limits) or lossy (trap data, warned about): nothing exact to compare.
    if (!formats::ExportOciJson(policy, diagnostics).ok() || !diagnostics.empty()) continue;
    // The importer reads errnoRet as an errno (1..4095) for SCMP_ACT_TRACE too, so trace data
    // 0 and above 4095 does not come back (a known gap of the OCI importer).
    if (Traces(policy)) continue;
    ExpectSameFilter(policy, "random policy " + std::to_string(seed), Same::kDecisions);
  }
  EXPECT_GT(proven_, 40);
}

}  // namespace
}  // namespace sysfence
