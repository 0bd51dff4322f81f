// SPDX-License-Identifier: Apache-2.0
// `sysfence compile`/`check`/`diff` read SeccompProfiles where they read OCI JSON, and `sysfence
// merge --workload W --container C` unites replica recordings (tests/data/replicas: three real
// recordings of busybox doing different work) into one profile named like SPO's recordings.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

using testsupport::RunSysfence;
using testsupport::TempDir;

std::string Replica(const std::string& suffix) {
  return test_paths::SourceDir() + "/tests/data/replicas/web-nginx-7c9d5-" + suffix + ".json";
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(KubernetesCli, CompileWritesV1AndReadsItBackWhereOciJsonIsRead) {
  TempDir dir;
  const std::string moby = test_paths::SourceDir() + "/tests/data/moby-default.json";
  const std::string yaml = dir.path() + "/moby.yaml";
  auto exported = RunSysfence({"compile", moby, "--arch", "x86_64", "--kernel", "any", "-f", "k8s", "-o", yaml});
  ASSERT_EQ(exported.exit_status, 0) << exported.err;
  EXPECT_TRUE(Read(yaml).starts_with("apiVersion: security-profiles-operator.x-k8s.io/v1\n"));
  auto original = RunSysfence({"compile", moby, "--arch", "x86_64", "--kernel", "any", "--stats"});
  auto back = RunSysfence({"compile", yaml, "--arch", "x86_64", "--stats"});
  ASSERT_EQ(back.exit_status, 0) << back.err;
  EXPECT_EQ(back.out, original.out);  // same instructions and paths
  auto check = RunSysfence({"check", yaml});
  EXPECT_NE(check.exit_status, 2) << check.err;
  // Every ABI of the profile, compared by the equivalence checker.
  const std::string all = dir.path() + "/all.yaml";
  ASSERT_EQ(RunSysfence({"compile", moby, "--kernel", "any", "-f", "k8s", "-o", all}).exit_status, 0);
  auto diff = RunSysfence({"diff", moby, all});
  EXPECT_EQ(diff.exit_status, 0) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("same decisions on every input"), std::string::npos) << diff.out;
  auto beta = RunSysfence({"compile", moby, "-f", "k8s", "--k8s-version", "v1beta1", "--arch", "x86_64"});
  EXPECT_NE(beta.out.find("security-profiles-operator.x-k8s.io/v1beta1"), std::string::npos);
  auto bad = RunSysfence({"compile", moby, "-f", "k8s", "--k8s-version", "v2"});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_NE(bad.err.find("--k8s-version: 'v2' is not one of v1, v1beta1"), std::string::npos) << bad.err;
}

TEST(KubernetesCli, ChoosesOneProfileOfSeveralWithFileHashName) {
  TempDir dir;
  const std::string both = dir.Write("both.yaml", R"(apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: a}
spec: {defaultAction: SCMP_ACT_ERRNO, syscalls: [{action: SCMP_ACT_ALLOW, names: [read]}]}
---
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: b}
spec: {defaultAction: SCMP_ACT_ALLOW}
)");
  auto several = RunSysfence({"compile", both, "-f", "disasm"});
  EXPECT_EQ(several.exit_status, 2);
  EXPECT_NE(several.err.find("2 SeccompProfiles here (a, b)"), std::string::npos) << several.err;
  auto b = RunSysfence({"compile", both + "#b", "-f", "disasm", "--arch", "x86_64"});
  ASSERT_EQ(b.exit_status, 0) << b.err;
  EXPECT_NE(b.out.find("ret allow"), std::string::npos);
  EXPECT_EQ(b.out.find("errno"), std::string::npos) << b.out;
  auto bad = RunSysfence({"compile", dir.Write("bad.yaml", "apiVersion: v1\nkind: SeccompProfile\nspec:\n  defaultAction: 7\n")});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_NE(bad.err.find("bad.yaml:4:18: $.spec.defaultAction"), std::string::npos) << bad.err;
}

TEST(KubernetesCli, MergesReplicasWithProvenanceAndSpoNaming) {
  TempDir dir;
  const std::string out = dir.path() + "/web-nginx.yaml";
  auto merged = RunSysfence({"merge", "-q", "--workload", "web", "--container", "nginx", "-f", "k8s", "-o", out,
                             Replica("abcde"), Replica("fghij"), "node-b/pod-3=" + Replica("klmno")});
  ASSERT_EQ(merged.exit_status, 0) << merged.err;
  const std::string yaml = Read(out);
  EXPECT_NE(yaml.find("  name: web-nginx\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("spo.x-k8s.io/profile-recording: web"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("# sysfence merge of 3 replicas of web/nginx: 7c9d5-abcde, 7c9d5-fghij, node-b/pod-3"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("seen by all 3 replicas"), std::string::npos) << yaml;
  // Only the replica that listed / made getdents64, and its comment names it.
  EXPECT_NE(yaml.find("# @file-system"), std::string::npos) << yaml;
  const size_t getdents = yaml.find("- getdents64");
  ASSERT_NE(getdents, std::string::npos) << yaml;
  const size_t comment = yaml.rfind("# ", getdents);
  EXPECT_NE(yaml.substr(comment, getdents - comment).find("7c9d5-fghij"), std::string::npos)
      << yaml.substr(comment, getdents - comment);
  // The merged profile compiles and allows what every replica did.
  auto compiled = RunSysfence({"compile", out, "--arch", "x86_64", "--stats"});
  EXPECT_EQ(compiled.exit_status, 0) << compiled.err;
  auto sfp = RunSysfence({"merge", "-q", "--workload", "web", "--container", "nginx", Replica("abcde"), Replica("fghij")});
  EXPECT_NE(sfp.out.find("# seen by 1 of 2 replicas: 7c9d5-fghij\n"), std::string::npos) << sfp.out;
}

TEST(KubernetesCli, ShippedExampleIsWhatMergeWrites) {
  TempDir dir;
  const std::string out = dir.path() + "/web-nginx.yaml";
  auto merged = RunSysfence({"merge", "-q", "--workload", "web", "--container", "nginx", "-f", "k8s", "-o", out,
                             Replica("abcde"), Replica("fghij"), Replica("klmno")});
  ASSERT_EQ(merged.exit_status, 0) << merged.err;
  EXPECT_EQ(Read(out), Read(test_paths::SourceDir() + "/examples/kubernetes/web-nginx.seccompprofile.yaml"))
      << "regenerate examples/kubernetes/web-nginx.seccompprofile.yaml (docs/kubernetes.md, step 2)";
}

TEST(KubernetesCli, ReplicaMergeRefusesBadInput) {
  TempDir dir;
  const std::string out = dir.path() + "/never.yaml";
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"merge", "--workload", "web", "-o", out, Replica("abcde"), Replica("fghij")}, "--workload and --container"},
      {{"merge", "--workload", "web", "--container", "c", "-o", out, Replica("abcde")}, "two or more replicas"},
      {{"merge", "--workload", "web", "--container", "c", "-o", out, Replica("abcde"),
        test_paths::SourceDir() + "/examples/hello.sfp"},
       "nothing else"},
      {{"merge", "-f", "yaml", "-o", out, Replica("abcde")}, "--format: 'yaml' is not one of sfp, json, k8s, k8s-json"},
  };
  for (const Case& c : cases) {
    auto result = RunSysfence(c.args);
    EXPECT_EQ(result.exit_status, 2) << c.message;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_FALSE(std::ifstream(out).good()) << "something was written for " << c.message;
  }
}

}  // namespace
}  // namespace sysfence
