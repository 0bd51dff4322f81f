// SPDX-License-Identifier: Apache-2.0
// `sysfence compile` end to end: formats, --stats, --caps, --arch, --weights, and bad input (exit 2,
// nothing written).
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bpf/evaluator.h"
#include "bpf/raw_file.h"
#include "core/arch.h"
#include "syscalls/syscalls.h"
#include "tests/support/test_paths.h"

namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Binary() { return sysfence::test_paths::SysfenceCli(); }
std::string Moby() { return sysfence::test_paths::SourceDir() + "/tests/data/moby-default.json"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

class CompileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Exists(Binary())) << "sysfence binary not built at " << Binary();
    char pattern[] = "/tmp/sysfence-compile-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  CliRun Sysfence(const std::string& args) {
    const std::string out = dir_ + "/stdout.txt";
    const std::string err = dir_ + "/stderr.txt";
    const int raw = std::system((Binary() + " " + args + " >" + out + " 2>" + err + " </dev/null").c_str());
    CliRun run;
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }

  std::string dir_;
};

constexpr const char* kPolicy = "arch x86_64\ndefault errno EPERM\nallow read write exit_group\n";

TEST_F(CompileCli, WritesRawBpf) {
  const std::string policy = Write("p.sfp", kPolicy);
  CliRun run = Sysfence("compile " + policy + " -o " + dir_ + "/p.bpf");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string bpf = ReadFile(dir_ + "/p.bpf");
  EXPECT_GT(bpf.size(), 0u);
  EXPECT_EQ(bpf.size() % 8, 0u);
  EXPECT_FALSE(Exists(dir_ + "/p.bpf.sysfence-tmp"));
}

TEST_F(CompileCli, StatsForMobyAreSane) {
  CliRun run = Sysfence("compile " + Moby() + " --arch x86_64 --kernel 6.1 --stats");
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json stats = nlohmann::json::parse(run.out);
  for (const char* key : {"instructions", "worst_path", "mean_path", "allows", "cacheable_allows"}) {
    ASSERT_TRUE(stats.contains(key)) << key << " in " << run.out;
  }
  const size_t instructions = stats["instructions"];
  EXPECT_GT(instructions, 10u);
  EXPECT_LE(instructions, 4096u);
  EXPECT_LE(stats["worst_path"].get<size_t>(), instructions);
  EXPECT_GT(stats["worst_path"].get<size_t>(), 2u);
  EXPECT_LE(stats["mean_path"].get<double>(), stats["worst_path"].get<double>());
  EXPECT_GT(stats["allows"].get<size_t>(), 300u);
  EXPECT_LE(stats["cacheable_allows"].get<size_t>(), stats["allows"].get<size_t>());
  // More capabilities allow more syscalls.
  CliRun admin = Sysfence("compile " + Moby() + " --arch x86_64 --kernel 6.1 --caps CAP_SYS_ADMIN,CAP_SYS_BOOT --stats");
  ASSERT_EQ(admin.status, 0) << admin.err;
  EXPECT_GT(nlohmann::json::parse(admin.out)["allows"].get<size_t>(), stats["allows"].get<size_t>());
}

TEST_F(CompileCli, EveryFormatIsSelectable) {
  const std::string policy = Write("web.sfp", kPolicy);
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"disasm", "ret"},
      {"c", "struct sock_fprog web_fprog"},
      {"json", "\"defaultAction\": \"SCMP_ACT_ERRNO\""},
      {"k8s", "kind: SeccompProfile"},
      {"k8s-json", "\"kind\": \"SeccompProfile\""},
      {"systemd", "SystemCallFilter=exit_group read write"},
      {"oci-config", "\"linux\": {\n    \"seccomp\": {"},
  };
  for (const auto& [format, marker] : formats) {
    const std::string out = dir_ + "/out." + format;
    CliRun run = Sysfence("compile " + policy + " --format " + format + " -o " + out);
    // systemd always allows its @default set: a warning for a policy that denies part of it.
    ASSERT_EQ(run.status, format == "systemd" ? 1 : 0) << format << ": " << run.err;
    EXPECT_NE(ReadFile(out).find(marker), std::string::npos) << format << ":\n" << ReadFile(out);
  }
  // The OCI export reads back with the same meaning as JSON input.
  CliRun again = Sysfence("compile " + dir_ + "/out.json --arch x86_64 --format systemd");
  ASSERT_EQ(again.status, 1) << again.err;
  EXPECT_NE(again.out.find("SystemCallFilter=exit_group read write"), std::string::npos) << again.out;
}

TEST_F(CompileCli, BadInputWritesNothingAndExits2) {
  const std::string out = dir_ + "/out.bpf";
  const std::string bad_json =
      Write("bad.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"ALLOW"}]})");
  CliRun run = Sysfence("compile " + bad_json + " -o " + out);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("$.syscalls[0].action"), std::string::npos) << run.err;
  EXPECT_FALSE(Exists(out));
  // An existing output stays as it was.
  Write("out.bpf", "keep");
  const std::string malformed = Write("malformed.json", "{\"defaultAction\": [");
  CliRun broken = Sysfence("compile " + malformed + " -o " + out);
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find("malformed JSON"), std::string::npos) << broken.err;
  EXPECT_EQ(ReadFile(out), "keep");
  const std::string policy = Write("p.sfp", kPolicy);
  EXPECT_EQ(Sysfence("compile " + policy + " --format yaml -o " + out).status, 2);
  CliRun arch = Sysfence("compile " + policy + " --arch x86_46 -o " + out);
  EXPECT_EQ(arch.status, 2);
  EXPECT_NE(arch.err.find("did you mean 'x86_64'"), std::string::npos) << arch.err;
  EXPECT_EQ(Sysfence("compile " + dir_ + "/missing.sfp -o " + out).status, 2);
  // systemd cannot express argument conditions: widened to the syscall, with a warning, written.
  const std::string conditional = Write("c.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
      {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]})");
  CliRun systemd = Sysfence("compile " + conditional + " --arch x86_64 --format systemd -o " + dir_ + "/unit.conf");
  EXPECT_EQ(systemd.status, 1);
  EXPECT_NE(systemd.err.find("ptrace: systemd gives allow for every argument and ABI; lost: allow ptrace if"),
            std::string::npos)
      << systemd.err;
  EXPECT_NE(ReadFile(dir_ + "/unit.conf").find("SystemCallFilter=ptrace\n"), std::string::npos);
  EXPECT_EQ(ReadFile(out), "keep");
}

TEST_F(CompileCli, WarningsGiveExitStatus1AndStillWrite) {
  const std::string json =
      Write("w.json", R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","no_such_call"],"action":"SCMP_ACT_ALLOW"}]})");
  CliRun run = Sysfence("compile " + json + " --arch x86_64 -o " + dir_ + "/w.bpf");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("no_such_call"), std::string::npos) << run.err;
  EXPECT_TRUE(Exists(dir_ + "/w.bpf"));
}

TEST_F(CompileCli, RefusesBinaryToATerminal) {
  const std::string policy = Write("p.sfp", kPolicy);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(Binary().c_str(), "sysfence", "compile", policy.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string output;
  char buffer[512];
  for (ssize_t n; (n = read(master, buffer, sizeof(buffer))) > 0;) output.append(buffer, static_cast<size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("terminal"), std::string::npos) << output;
}

TEST_F(CompileCli, HelpTeaches) {
  CliRun run = Sysfence("compile --help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("Examples:"), std::string::npos);
  EXPECT_NE(run.out.find("--stats"), std::string::npos);
  EXPECT_NE(run.out.find("--weights"), std::string::npos);
  EXPECT_NE(run.out.find("sysfence record --json"), std::string::npos);
}

// A policy with many distinct outcomes (a deep search tree): every second x86_64 syscall gets its
// own errno value.
std::string DeepPolicy() {
  std::string text = "arch x86_64\ndefault errno EPERM\n";
  const auto table = sysfence::syscalls::AllOf(sysfence::Arch::kX86_64);
  for (size_t i = 0; i < table.size(); i += 2) {
    text += "errno " + std::to_string(2 + i % 200) + " " + std::string(table[i].name) + "\n";
  }
  return text;
}

// A recording as `sysfence record --json` writes it (record/profile_json.cc, version 1).
nlohmann::json Recording(const std::vector<std::pair<std::string, uint64_t>>& counts) {
  nlohmann::json syscalls = nlohmann::json::array();
  for (const auto& [name, count] : counts) {
    syscalls.push_back({{"arch", "x86_64"},
                        {"name", name},
                        {"nr", *sysfence::syscalls::NumberOf(sysfence::Arch::kX86_64, name)},
                        {"count", count},
                        {"errors", 0},
                        {"first_ms", 0.5},
                        {"last_ms", 9.5},
                        {"processes", 1},
                        {"startup_only", false}});
  }
  return {{"sysfence_profile", 1}, {"backend", "ptrace"},      {"kernel", "6.1.0"},   {"arch", "x86_64"},
          {"command", {"demo"}},   {"duration_ms", 10.0},      {"process_images", 1}, {"recordings", 1},
          {"errors_known", true},  {"paths_known", false},     {"syscalls", syscalls}, {"executables", {"/bin/demo"}},
          {"paths", nlohmann::json::object()}};
}

sysfence::bpf::Program ReadProgram(const std::string& path) {
  auto program = sysfence::bpf::ParseRawBpf(ReadFile(path));
  EXPECT_TRUE(program.ok()) << path;
  return program.ok() ? *program : sysfence::bpf::Program{};
}

sysfence::SeccompData X86_64Call(uint32_t nr) {
  sysfence::SeccompData d;
  d.arch = sysfence::GetArchInfo(sysfence::Arch::kX86_64).audit_arch;
  d.nr = static_cast<int32_t>(nr);
  return d;
}

// Instructions executed per recorded call, averaged over the recording's calls.
double MeanPathOverCalls(const sysfence::bpf::Program& program,
                         const std::vector<std::pair<std::string, uint64_t>>& counts) {
  double executed = 0, calls = 0;
  for (const auto& [name, count] : counts) {
    auto run = sysfence::bpf::Evaluate(program, X86_64Call(*sysfence::syscalls::NumberOf(sysfence::Arch::kX86_64, name)));
    EXPECT_TRUE(run.ok());
    executed += static_cast<double>(run.ok() ? run->executed : 0) * static_cast<double>(count);
    calls += static_cast<double>(count);
  }
  return executed / calls;
}

TEST_F(CompileCli, WeightsShortenThePathOfTheRecordedCalls) {
  const std::string policy = Write("deep.sfp", DeepPolicy());
  const std::vector<std::pair<std::string, uint64_t>> counts = {
      {"futex", 400000}, {"epoll_wait", 250000}, {"getrandom", 90000}, {"clock_nanosleep", 60000},
      {"read", 5000},    {"write", 3000},        {"close", 10}};
  const std::string recording = Write("rec.json", Recording(counts).dump(2));
  CliRun plain = Sysfence("compile " + policy + " -o " + dir_ + "/plain.bpf");
  ASSERT_EQ(plain.status, 0) << plain.err;
  CliRun weighted = Sysfence("compile " + policy + " --weights " + recording + " -o " + dir_ + "/weighted.bpf");
  ASSERT_EQ(weighted.status, 0) << weighted.err;
  const sysfence::bpf::Program a = ReadProgram(dir_ + "/plain.bpf");
  const sysfence::bpf::Program b = ReadProgram(dir_ + "/weighted.bpf");
  ASSERT_FALSE(a.empty() || b.empty());
  const double unweighted_mean = MeanPathOverCalls(a, counts);
  const double weighted_mean = MeanPathOverCalls(b, counts);
  std::printf("mean path over the recorded calls: %.2f unweighted, %.2f weighted\n", unweighted_mean, weighted_mean);
  EXPECT_LE(weighted_mean, unweighted_mean);
  // With most calls on a handful of syscalls in a deep tree, weighting must gain something.
  EXPECT_LT(weighted_mean, unweighted_mean - 1.0);
  // Same decisions on every number either way.
  for (uint32_t nr = 0; nr < 1024; ++nr) {
    ASSERT_EQ(sysfence::bpf::Evaluate(a, X86_64Call(nr))->value, sysfence::bpf::Evaluate(b, X86_64Call(nr))->value)
        << "nr " << nr;
  }
  // --stats and the other binary formats take the weights too.
  CliRun stats = Sysfence("compile " + policy + " --weights " + recording + " --stats");
  ASSERT_EQ(stats.status, 0) << stats.err;
  EXPECT_EQ(nlohmann::json::parse(stats.out)["instructions"].get<size_t>(), b.size());
  CliRun disasm = Sysfence("compile " + policy + " --weights " + recording + " --format disasm");
  ASSERT_EQ(disasm.status, 0) << disasm.err;
  CliRun plain_disasm = Sysfence("compile " + policy + " --format disasm");
  EXPECT_NE(disasm.out, plain_disasm.out);
}

sysfence::SeccompData CallOn(sysfence::Arch arch, uint32_t nr) {
  sysfence::SeccompData d;
  d.arch = sysfence::GetArchInfo(arch).audit_arch;
  d.nr = static_cast<int32_t>(nr);
  return d;
}

size_t PathOf(const sysfence::bpf::Program& program, sysfence::Arch arch, uint32_t nr) {
  auto run = sysfence::bpf::Evaluate(program, CallOn(arch, nr));
  EXPECT_TRUE(run.ok());
  return run.ok() ? run->executed : 0;
}

// Weights are read through the profile library with each call's ABI and number: a count weighs on
// its own ABI's search only, and numbers no table names weigh too.
TEST_F(CompileCli, WeightsKeepEachCallsAbiAndNumber) {
  using sysfence::Arch;
  std::string text = DeepPolicy();
  text.replace(0, text.find('\n'), "arch x86_64 x86");
  const std::string policy = Write("two.sfp", text);
  const uint32_t futex_x86 = *sysfence::syscalls::NumberOf(Arch::kX86, "futex");
  ASSERT_FALSE(sysfence::syscalls::NameOf(Arch::kX86_64, 999).has_value());
  auto entry = [](Arch arch, const std::string& name, uint32_t nr, uint64_t count) {
    return nlohmann::json{{"arch", std::string(sysfence::ArchName(arch))}, {"name", name}, {"nr", nr},
                          {"count", count}};
  };
  nlohmann::json two_abis = Recording({{"read", 5}});
  two_abis["syscalls"].push_back(entry(Arch::kX86, "futex", futex_x86, 500000));
  two_abis["syscalls"].push_back(entry(Arch::kX86_64, "nr999", 999, 400000));
  const std::string recording = Write("two.json", two_abis.dump());
  ASSERT_EQ(Sysfence("compile " + policy + " -o " + dir_ + "/plain.bpf").status, 0);
  CliRun weighted = Sysfence("compile " + policy + " --weights " + recording + " -o " + dir_ + "/weighted.bpf");
  ASSERT_EQ(weighted.status, 0) << weighted.err;
  const sysfence::bpf::Program plain = ReadProgram(dir_ + "/plain.bpf");
  const sysfence::bpf::Program heavy = ReadProgram(dir_ + "/weighted.bpf");
  EXPECT_LT(PathOf(heavy, Arch::kX86, futex_x86), PathOf(plain, Arch::kX86, futex_x86));
  EXPECT_LT(PathOf(heavy, Arch::kX86_64, 999), PathOf(plain, Arch::kX86_64, 999));

  // Counts of i386 calls weigh nothing on x86_64: an x86_64 policy compiles to the unweighted
  // program, byte for byte (by name, the i386 futex would have weighed on x86_64's futex).
  nlohmann::json x86_only = Recording({});
  x86_only["syscalls"].push_back(entry(Arch::kX86, "futex", futex_x86, 500000));
  const std::string x86_recording = Write("x86.json", x86_only.dump());
  const std::string x86_64_policy = Write("x86_64.sfp", DeepPolicy());
  ASSERT_EQ(Sysfence("compile " + x86_64_policy + " -o " + dir_ + "/x86_64.bpf").status, 0);
  CliRun x86_weighted =
      Sysfence("compile " + x86_64_policy + " --weights " + x86_recording + " -o " + dir_ + "/x86_64-x86.bpf");
  ASSERT_EQ(x86_weighted.status, 0) << x86_weighted.err;
  EXPECT_EQ(ReadFile(dir_ + "/x86_64-x86.bpf"), ReadFile(dir_ + "/x86_64.bpf"));
  // The same count as an x86_64 futex does reshape it.
  nlohmann::json x86_64_futex = Recording({{"futex", 500000}});
  const std::string x86_64_recording = Write("x86_64.json", x86_64_futex.dump());
  ASSERT_EQ(Sysfence("compile " + x86_64_policy + " --weights " + x86_64_recording + " -o " + dir_ +
                     "/x86_64-x86_64.bpf")
                .status,
            0);
  EXPECT_NE(ReadFile(dir_ + "/x86_64-x86_64.bpf"), ReadFile(dir_ + "/x86_64.bpf"));
}

TEST_F(CompileCli, BadWeightsNameTheJsonPathExit2AndWriteNothing) {
  const std::string policy = Write("p.sfp", kPolicy);
  const std::string out = dir_ + "/out.bpf";
  nlohmann::json wrong_type = Recording({{"read", 10}, {"write", 20}});
  wrong_type["syscalls"][1]["count"] = "many";
  nlohmann::json negative = Recording({{"read", 10}});
  negative["syscalls"][0]["count"] = -3;
  nlohmann::json unknown = Recording({{"read", 10}, {"write", 20}});
  unknown["syscalls"][1]["name"] = "no_such_call";
  nlohmann::json not_array = Recording({});
  not_array["syscalls"] = nlohmann::json::object();
  nlohmann::json version = Recording({{"read", 10}});
  version["sysfence_profile"] = 7;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"sysfence_profile\": 1, \"syscalls\": [", "not valid JSON"},
      {R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []})", "$.sysfence_profile"},
      {"[1, 2]", "$: expected an object"},
      {wrong_type.dump(), "$.syscalls[1].count"},
      {negative.dump(), "$.syscalls[0].count"},
      {unknown.dump(), "$.syscalls[1].name: unknown syscall 'no_such_call'"},
      {not_array.dump(), "$.syscalls: expected an array"},
      {version.dump(), "$.sysfence_profile: unsupported recording version 7"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string recording = Write("bad" + std::to_string(i) + ".json", cases[i].first);
    CliRun run = Sysfence("compile " + policy + " --weights " + recording + " -o " + out);
    EXPECT_EQ(run.status, 2) << cases[i].first << "\n" << run.err;
    EXPECT_NE(run.err.find(recording + ": " ), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(cases[i].second), std::string::npos) << cases[i].second << " not in: " << run.err;
    EXPECT_FALSE(Exists(out)) << cases[i].first;
    // Nothing on standard output either, even with --stats.
    CliRun stats = Sysfence("compile " + policy + " --weights " + recording + " --stats");
    EXPECT_EQ(stats.status, 2);
    EXPECT_EQ(stats.out, "");
  }
  EXPECT_EQ(Sysfence("compile " + policy + " --weights " + dir_ + "/missing.json -o " + out).status, 2);
  EXPECT_FALSE(Exists(out));
}

}  // namespace
