// SPDX-License-Identifier: Apache-2.0
// The words the completions offer are the words the CLI accepts. For every option with a value set
// (value_sets.h OneOf, read from the real CLI11 definitions the binary is built from): the built
// binary runs the command with each word and accepts it, and refuses a word outside the set as a
// usage error naming the option and its words, before writing anything. The table words (errno
// names for --default, ABIs for --arch) are accepted by the parsers the commands use.
// completion_test.sh holds the shells' completions to the same sets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/arch.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/completion.h"
#include "tools/sysfence/help_model.h"
#include "tools/sysfence/record_common.h"

namespace sysfence::cli {
namespace {

using testsupport::CliResult;
using testsupport::RunSysfence;
using testsupport::TempDir;

// The files a real run of a command needs, in a scratch folder.
struct Scratch {
  TempDir dir;
  std::string policy = dir.Write("web.sfp", "arch x86_64\ndefault errno EPERM\nallow read write exit_group\n");
  std::string allow_all = dir.Write("all.sfp", "arch x86_64\ndefault allow\n");
  std::string output = dir.path() + "/out";
};

// One real run of a command with `word` as the option's value. `parse_only`: the command needs
// what a test cannot give it (a container runtime's state), so --help stops it once CLI11 has
// validated every value.
struct Invocation {
  std::function<std::vector<std::string>(const Scratch&, const std::string& option, const std::string& word)> argv;
  bool needs_root = false;
  bool parse_only = false;
};

// "COMMAND --option" -> how to run it. Every option with a value set must be here.
const std::map<std::string, Invocation>& Invocations() {
  using Words = std::vector<std::string>;
  static const std::map<std::string, Invocation> invocations = {
      {"sysfence --color", {[](const Scratch& s, auto& o, auto& w) { return Words{o, w, "check", s.policy}; }}},
      {"check --format", {[](const Scratch& s, auto& o, auto& w) { return Words{"check", s.policy, o, w}; }}},
      {"lint --format",
       {[](const Scratch&, auto& o, auto& w) {
         return Words{"lint", test_paths::SourceDir() + "/tests/data/seeds-broken.asm", o, w};
       }}},
      {"compile --format",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"compile", s.policy, "-o", s.output, o, w}; }}},
      {"compile --k8s-version",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"compile", s.policy, "-f", "k8s", "-o", s.output, o, w}; }}},
      {"merge --format",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"merge", s.policy, "-o", s.output, o, w}; }}},
      {"merge --k8s-version",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"merge", s.policy, "-f", "k8s", "-o", s.output, o, w}; }}},
      {"record --backend",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"-q", "record", "-o", s.output, o, w, "--", "/bin/true"}; },
        true}},
      {"record --runtime-base",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"-q", "record", "-o", s.output, o, w, "--", "/bin/true"}; },
        true}},
      {"analyze --arch",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"analyze", "--no-cache", "-o", s.output, "/bin/true", o, w}; }}},
      {"oci-hook --log-denials",
       {[](const Scratch&, auto& o, auto& w) { return Words{"oci-hook", o, w, "--help"}; }, false, true}},
      {"run --isolation",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"run", "-P", s.allow_all, o, w, "--", "/bin/true"}; }}},
      {"run --landlock",
       {[](const Scratch& s, auto& o, auto& w) { return Words{"run", "-P", s.allow_all, o, w, "--", "/bin/true"}; }}},
      {"landlock --landlock", {[](const Scratch& s, auto& o, auto& w) { return Words{"landlock", s.policy, o, w}; }}},
      {"watch --source",
       {[](const Scratch& s, auto& o, auto& w) {
          return Words{"-q", "watch", o, w, "--duration", "0.2", "-o", s.output, "--lock-file", s.output + ".lock"};
        },
        true}},
  };
  return invocations;
}

// An option with a value set, as the real CLI defines it.
struct ValueSet {
  std::string key;  ///< "COMMAND --option" ("sysfence --color" for a global option)
  std::string option;
  std::vector<std::string> words;
};

std::vector<ValueSet> RealValueSets() {
  CLI::App app{"sysfence", "sysfence"};
  int status = 0;
  SetUpApp(app, &status);
  const ToolInfo tool = DescribeApp(app);
  std::vector<ValueSet> sets;
  auto add = [&sets](const std::string& command, const OptionInfo& option) {
    if (option.choices.empty() || option.long_names.empty()) return;
    const std::string name = "--" + option.long_names[0];
    sets.push_back({command + " " + name, name, option.choices});
  };
  for (const OptionInfo& option : tool.root.options) add("sysfence", option);
  for (const CommandInfo& command : tool.commands) {
    for (const OptionInfo& option : command.options) add(command.name, option);
  }
  return sets;
}

// Whether a run with `argv` writes the scratch output (-o OUT).
bool WritesOutput(const std::vector<std::string>& argv, const Scratch& scratch) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "-o" && argv[i + 1] == scratch.output) return true;
  }
  return false;
}

std::string Listed(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

TEST(ValueSets, TheRealCliHasThemAndEachHasARun) {
  const std::vector<ValueSet> sets = RealValueSets();
  EXPECT_GE(sets.size(), 15u);
  std::map<std::string, bool> seen;
  for (const ValueSet& set : sets) {
    seen[set.key] = true;
    EXPECT_TRUE(Invocations().count(set.key)) << set.key << " takes one of {" << Listed(set.words)
                                              << "}: add how to run it to Invocations()";
  }
  for (const auto& [key, invocation] : Invocations()) {
    EXPECT_TRUE(seen.count(key)) << key << " has no value set any more: drop it from Invocations()";
  }
}

TEST(ValueSets, EveryWordIsAcceptedByTheCommand) {
  for (const ValueSet& set : RealValueSets()) {
    auto found = Invocations().find(set.key);
    if (found == Invocations().end()) continue;  // the test above fails
    const Invocation& invocation = found->second;
    if (invocation.needs_root && geteuid() != 0) {
      GTEST_SKIP() << set.key << " runs the command for real, which needs root [feature: root]";
    }
    for (const std::string& word : set.words) {
      Scratch scratch;
      const std::vector<std::string> argv = invocation.argv(scratch, set.option, word);
      const CliResult result = RunSysfence(argv);
      // 1 is "findings" (a lint warning, a systemd caveat): the value itself was taken.
      EXPECT_TRUE(result.exit_status == 0 || result.exit_status == 1)
          << set.key << " " << word << ": status " << result.exit_status << "\n" << result.err;
      EXPECT_EQ(result.err.find("is not one of"), std::string::npos) << set.key << " " << word << ": " << result.err;
      if (WritesOutput(argv, scratch)) {
        EXPECT_TRUE(std::filesystem::exists(scratch.output)) << set.key << " " << word << " wrote nothing";
      }
    }
  }
}

TEST(ValueSets, AWordOutsideTheSetIsAUsageErrorNamingTheWords) {
  for (const ValueSet& set : RealValueSets()) {
    auto found = Invocations().find(set.key);
    if (found == Invocations().end()) continue;
    Scratch scratch;
    const CliResult result = RunSysfence(found->second.argv(scratch, set.option, "no-such-word"));
    // run keeps 1..124 for the program: its own usage errors are 125 (docs/run.md).
    const int usage_error = set.key.rfind("run ", 0) == 0 ? kExitRunFailed : kExitBadInput;
    EXPECT_EQ(result.exit_status, usage_error) << set.key << "\n" << result.err;
    EXPECT_NE(result.err.find(set.option + ": 'no-such-word' is not one of " + Listed(set.words)), std::string::npos)
        << set.key << ": " << result.err;
    EXPECT_FALSE(std::filesystem::exists(scratch.output)) << set.key << ": wrote " << scratch.output;
  }
}

// --default's completions (errno names and kill) are what ParseDefaultAction, which record, merge
// and analyze use, accepts; a name outside is refused.
TEST(TableWords, DefaultActionsAreAcceptedByTheParserTheCommandsUse) {
  const CompletionWords words = TableWords();
  ASSERT_GT(words.default_actions.size(), 100u);
  for (const std::string& word : words.default_actions) {
    EXPECT_TRUE(ParseDefaultAction(word).ok()) << word;
  }
  EXPECT_NE(std::find(words.default_actions.begin(), words.default_actions.end(), "EPERM"), words.default_actions.end());
  EXPECT_NE(std::find(words.default_actions.begin(), words.default_actions.end(), "kill"), words.default_actions.end());
  EXPECT_FALSE(ParseDefaultAction("EBOGUS").ok());
}

// `syscalls --constants` is offered "all", the families and the constants: each is listed.
TEST(TableWords, ConstantFiltersAreAcceptedBySyscallsConstants) {
  const CompletionWords words = TableWords();
  ASSERT_GT(words.constant_filters.size(), words.constants.size() + 5);
  EXPECT_EQ(words.constant_filters.front(), "all");
  const CliResult all = RunSysfence({"syscalls", "--constants", "all"});
  EXPECT_EQ(all.exit_status, 0) << all.err;
  // The families (the words before the first constant) each list something; every constant is in "all".
  for (size_t i = 1; i < words.constant_filters.size() - words.constants.size(); ++i) {
    const CliResult family = RunSysfence({"syscalls", "--constants", words.constant_filters[i]});
    EXPECT_EQ(family.exit_status, 0) << words.constant_filters[i] << ": " << family.err;
    EXPECT_FALSE(family.out.empty()) << words.constant_filters[i];
  }
  for (const std::string& constant : words.constants) {
    EXPECT_NE(all.out.find(constant), std::string::npos) << constant;
  }
  EXPECT_EQ(RunSysfence({"syscalls", "--constants", "NO_SUCH_FAMILY"}).exit_status, kExitBadInput);
}

TEST(TableWords, ArchesAreAcceptedByTheCommands) {
  const CompletionWords words = TableWords();
  ASSERT_GE(words.arches.size(), 3u);
  for (const std::string& word : words.arches) {
    EXPECT_TRUE(ArchFromName(word).has_value()) << word;
    const CliResult result = RunSysfence({"syscalls", "--arch", word, "read"});
    EXPECT_EQ(result.exit_status, 0) << word << ": " << result.err;
  }
  EXPECT_EQ(RunSysfence({"syscalls", "--arch", "pdp11", "read"}).exit_status, kExitBadInput);
}

}  // namespace
}  // namespace sysfence::cli
