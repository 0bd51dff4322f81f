// SPDX-License-Identifier: Apache-2.0
// The conventions every command shares, seen from outside the built binary: unknown commands,
// --version's commit, colour only on terminals (NO_COLOR, --color), global -q/-v, check --format,
// and record's live progress line (on a pseudo-terminal, never through a pipe).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "tests/cli_conventions/terminal_runner.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence::testsupport {
namespace {

constexpr const char* kEscape = "\033[";
constexpr const char* kBadPolicy = "arch x86_64\ndefault allow\nallow open_tree_attrx\n";

// Runs a shell command, returning its stdout (trailing newline removed) and whether it succeeded.
std::pair<bool, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {false, ""};
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return {status == 0, out};
}

TEST(UnknownCommand, SaysSoAndSuggestsTheNearest) {
  const CliResult result = RunSysfence({"recrod", "--", "ls"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.err.find("unknown command 'recrod'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("did you mean 'record'?"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(UnknownCommand, GlobalOptionsBeforeItAreSkippedAndPrefixesCount) {
  const CliResult result = RunSysfence({"-q", "--color", "never", "chek", "x.sfp"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.err.find("did you mean 'check'?"), std::string::npos) << result.err;
  const CliResult prefix = RunSysfence({"decomp", "x.bpf"});
  EXPECT_NE(prefix.err.find("did you mean 'decompile'?"), std::string::npos) << prefix.err;
}

TEST(UnknownCommand, FarFromEveryCommandSuggestsNothing) {
  const CliResult result = RunSysfence({"xylophone"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.err.find("unknown command 'xylophone'"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("did you mean"), std::string::npos) << result.err;
}

TEST(Version, NamesTheReleaseAndTheCommitBuilt) {
  const CliResult result = RunSysfence({"--version"});
  EXPECT_EQ(result.exit_status, 0);
  const std::regex shape(R"(^sysfence \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$)");
  EXPECT_TRUE(std::regex_match(result.out, shape)) << result.out;
  const auto [is_git, head] = Shell("git -C '" + test_paths::SourceDir() + "' rev-parse --short=12 HEAD 2>/dev/null");
  if (is_git) {
    EXPECT_NE(result.out.find("(commit " + head), std::string::npos)
        << result.out << " vs HEAD " << head << " (--version names the commit built: rebuild after committing)";
  } else {
    EXPECT_NE(result.out.find("(commit unknown)"), std::string::npos) << result.out;
  }
}

// The generator itself on scratch trees: a clean checkout, a dirty one, and no checkout at all.
TEST(Version, BuildInfoMarksDirtyTreesAndNoCheckout) {
  TempDir dir;
  const std::string script = test_paths::SourceDir() + "/cmake/BuildInfo.cmake";
  const std::string repo = dir.path() + "/repo";
  const std::string output = dir.path() + "/build_info.cc";
  auto generate = [&](const std::string& source) {
    const auto [ok, text] = Shell("cmake -DSOURCE_DIR='" + source + "' -DOUTPUT='" + output +
                                  "' -DVERSION=9.8.7 -P '" + script + "' && cat '" + output + "'");
    EXPECT_TRUE(ok) << text;
    return text;
  };
  const auto [made, log] = Shell("git init -q '" + repo + "' && cd '" + repo + "' && echo a > f && git add f && "
                                 "git -c user.name=t -c user.email=t@t commit -qm one && git rev-parse --short=12 HEAD");
  ASSERT_TRUE(made) << log;
  const std::string head = log.substr(log.rfind('\n') + 1);
  std::string text = generate(repo);
  EXPECT_NE(text.find("kBuildVersion[] = \"9.8.7\""), std::string::npos) << text;
  EXPECT_NE(text.find("kBuildCommit[] = \"" + head + "\""), std::string::npos) << text;
  ASSERT_TRUE(Shell("echo b > '" + repo + "/f'").first);
  text = generate(repo);
  EXPECT_NE(text.find("kBuildCommit[] = \"" + head + "-dirty\""), std::string::npos) << text;
  const std::string plain = dir.path() + "/plain";
  std::filesystem::create_directory(plain);
  text = generate(plain);
  EXPECT_NE(text.find("kBuildCommit[] = \"unknown\""), std::string::npos) << text;
}

class ColorTest : public ::testing::Test {
 protected:
  TempDir dir_;  // before policy_, which is written into it
  std::string policy_ = dir_.Write("bad.sfp", kBadPolicy);
};

TEST_F(ColorTest, TerminalGetsColouredLabels) {
  const TerminalRun run = RunOnTerminal({"check", policy_}, {{"NO_COLOR", std::nullopt}});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_NE(run.output.find(std::string(kEscape) + "1;31merror:"), std::string::npos) << run.output;
}

TEST_F(ColorTest, NoColorTurnsItOffOnATerminal) {
  const TerminalRun run = RunOnTerminal({"check", policy_}, {{"NO_COLOR", "1"}});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_NE(run.output.find("error:"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(kEscape), std::string::npos) << run.output;
}

TEST_F(ColorTest, EmptyNoColorDoesNotCount) {
  const TerminalRun run = RunOnTerminal({"check", policy_}, {{"NO_COLOR", ""}});
  EXPECT_NE(run.output.find(kEscape), std::string::npos) << run.output;
}

TEST_F(ColorTest, PipesGetNoColourUnlessAlways) {
  const PipedRun plain = RunPiped({"check", policy_}, {{"NO_COLOR", std::nullopt}});
  EXPECT_EQ(plain.exit_status, 2);
  EXPECT_NE(plain.err.find("error:"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find(kEscape), std::string::npos) << plain.err;
  const PipedRun always = RunPiped({"check", "--color=always", policy_}, {{"NO_COLOR", "1"}});
  EXPECT_NE(always.err.find(std::string(kEscape) + "1;31merror:"), std::string::npos) << always.err;
}

TEST_F(ColorTest, NeverWinsOnATerminal) {
  const TerminalRun run = RunOnTerminal({"--color", "never", "check", policy_}, {{"NO_COLOR", std::nullopt}});
  EXPECT_EQ(run.output.find(kEscape), std::string::npos) << run.output;
}

TEST_F(ColorTest, BadColorValueIsAUsageError) {
  const CliResult result = RunSysfence({"check", "--color=sometimes", policy_});
  EXPECT_EQ(result.exit_status, 2) << result.err;
}

TEST(GlobalOptions, QuietWorksBeforeAndAfterTheCommand) {
  TempDir dir;
  const std::string policy = dir.Write("ok.sfp", "arch x86_64\ndefault errno EPERM\nallow read\n");
  EXPECT_NE(RunSysfence({"check", policy}).out.find(": ok"), std::string::npos);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-q", "check", policy}, std::vector<std::string>{"check", "-q", policy},
        std::vector<std::string>{"check", policy, "--quiet"}}) {
    const CliResult result = RunSysfence(args);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.out, "") << args[0] << " " << args[1];
  }
}

// -q keeps warnings off stderr (errors stay), whatever command prints them; the status still
// says there were warnings.
TEST(GlobalOptions, QuietDropsWarningsButKeepsErrors) {
  TempDir dir;
  // An OCI profile naming a syscall no table knows: a warning (runc ignores such names too).
  const std::string warned = dir.Write(
      "warn.json",
      R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","no_such_call_xyz"],"action":"SCMP_ACT_ALLOW"}]})");
  const CliResult loud = RunSysfence({"compile", warned, "-o", dir.path() + "/a.bpf"});
  const CliResult quiet = RunSysfence({"compile", "-q", warned, "-o", dir.path() + "/b.bpf"});
  EXPECT_NE(loud.err.find("warning:"), std::string::npos) << loud.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.exit_status, loud.exit_status);
  const std::string broken = dir.Write("bad.sfp", kBadPolicy);
  const CliResult error = RunSysfence({"-q", "compile", broken, "-o", dir.path() + "/c.bpf"});
  EXPECT_EQ(error.exit_status, 2);
  EXPECT_NE(error.err.find("error:"), std::string::npos) << error.err;
}

TEST(GlobalOptions, VerboseAddsDetailToEval) {
  TempDir dir;
  const std::string policy = dir.Write("p.sfp", "arch x86_64\ndefault errno EPERM\nallow read\n");
  const CliResult plain = RunSysfence({"eval", policy, "read"});
  const CliResult verbose = RunSysfence({"-v", "eval", policy, "read"});
  const CliResult after = RunSysfence({"eval", policy, "read", "-v"});
  EXPECT_EQ(plain.exit_status, 0) << plain.err;
  EXPECT_EQ(verbose.exit_status, 0) << verbose.err;
  EXPECT_GT(verbose.out.size(), plain.out.size()) << plain.out << "\n---\n" << verbose.out;
  EXPECT_EQ(after.out, verbose.out);
}

TEST(CheckFormat, JsonUsesTheLintersShapeWithLinesAndColumns) {
  TempDir dir;
  const std::string policy = dir.Write("bad.sfp", kBadPolicy);
  const CliResult result = RunSysfence({"check", "--format", "json", policy});
  EXPECT_EQ(result.exit_status, 2);
  const nlohmann::json json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["findings"].size(), 1u) << result.out;
  EXPECT_EQ(json["errors"], 1);
  EXPECT_EQ(json["warnings"], 0);
  const nlohmann::json& finding = json["findings"][0];
  EXPECT_EQ(finding["check"], "policy-error");
  EXPECT_EQ(finding["severity"], "error");
  EXPECT_EQ(finding["line"], 3);
  EXPECT_EQ(finding["column"], 7);
  EXPECT_NE(finding["message"].get<std::string>().find("open_tree_attrx"), std::string::npos);
  EXPECT_NE(finding["fix"].get<std::string>().find("open_tree_attr"), std::string::npos) << finding;
}

TEST(CheckFormat, SarifLocatesEachDiagnostic) {
  TempDir dir;
  const std::string policy = dir.Write("warn.sfp", "arch x86_64\ndefault errno EPERM\nallow read\nallow read\n");
  const CliResult result = RunSysfence({"check", "--format", "sarif", policy});
  EXPECT_EQ(result.exit_status, 1);
  const nlohmann::json sarif = nlohmann::json::parse(result.out);
  EXPECT_EQ(sarif["version"], "2.1.0");
  const nlohmann::json& results = sarif["runs"][0]["results"];
  ASSERT_GE(results.size(), 1u) << result.out;
  EXPECT_EQ(results[0]["level"], "warning");
  const nlohmann::json& location = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], policy);
  EXPECT_EQ(location["region"]["startLine"], 4);
}

TEST(CheckFormat, UnknownFormatIsBadInput) {
  TempDir dir;
  const std::string policy = dir.Write("ok.sfp", "arch x86_64\ndefault allow\n");
  const CliResult result = RunSysfence({"check", "--format", "xml", policy});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("--format"), std::string::npos) << result.err;
}

// record's live line: a program that makes syscalls for about a second (a few short children).
class RecordProgressTest : public ::testing::Test {
 protected:
  std::vector<std::string> Args(const std::vector<std::string>& extra = {}, const std::string& backend = "unotify") {
    std::vector<std::string> args = {"record", "--backend", backend, "-o", dir_.path() + "/p.sfp"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--", "/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do /bin/true; sleep 0.15; done"});
    return args;
  }
  TempDir dir_;
};

// The progress lines of a terminal's output: (calls, processes) of each.
std::vector<std::pair<uint64_t, uint64_t>> ProgressLines(const std::string& output) {
  // Redrawn in place: a carriage return, the line, then "erase to the end of the line".
  const std::regex line(R"(\rsysfence: recording: ([0-9]+) calls \([0-9]+/s\), ([0-9]+) syscalls, ([0-9]+) process(es)?, [0-9.]+ s\x1b\[K)");
  std::vector<std::pair<uint64_t, uint64_t>> lines;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line); it != std::sregex_iterator(); ++it) {
    lines.emplace_back(std::stoull((*it)[1].str()), std::stoull((*it)[3].str()));
  }
  return lines;
}

// The ebpf backend counts in the kernel; the line samples those counters.
TEST_F(RecordProgressTest, EbpfCountersReachTheLineToo) {
  if (geteuid() != 0) GTEST_SKIP() << "the ebpf backend needs root [feature: ebpf]";
  const TerminalRun run = RunOnTerminal(Args({}, "ebpf"), {}, 60);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto lines = ProgressLines(run.output);
  ASSERT_GE(lines.size(), 2u) << run.output;
  EXPECT_GT(lines.back().first, 0u) << run.output;
  EXPECT_GE(lines.back().second, 1u) << run.output;
}

TEST_F(RecordProgressTest, TerminalShowsCallsRateSyscallsAndProcesses) {
  const TerminalRun run = RunOnTerminal(Args(), {}, 60);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto lines = ProgressLines(run.output);
  ASSERT_GE(lines.size(), 2u) << run.output;
  EXPECT_GT(lines.back().first, 0u) << run.output;
  EXPECT_GE(lines.back().second, 2u) << run.output;  // the shell and a /bin/true at least
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_GE(lines[i].first, lines[i - 1].first) << "calls only grow";
  EXPECT_NE(run.output.find("\r\x1b[K"), std::string::npos) << "the line is erased at the end";
}

TEST_F(RecordProgressTest, NoLineWithoutATerminal) {
  const PipedRun run = RunPiped(Args(), {}, 60);
  ASSERT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.err.find("sysfence: recording:"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find('\r'), std::string::npos) << run.err;
}

TEST_F(RecordProgressTest, NoLineWithQuietOnATerminal) {
  const TerminalRun run = RunOnTerminal(Args({"-q"}), {}, 60);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(run.output.find("sysfence: recording:"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("coverage"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace sysfence::testsupport
