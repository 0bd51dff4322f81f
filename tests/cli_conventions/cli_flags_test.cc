// SPDX-License-Identifier: Apache-2.0
// One meaning per short flag, across every command: walks the CLI11 definitions of the real CLI
// (the same objects the binary is built from) and compares them with docs/cli.md's table.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_paths.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

// short flag -> long name -> the commands ("(global)" for the app itself) that define it so.
using ShortFlags = std::map<std::string, std::map<std::string, std::set<std::string>>>;

std::string LongNameOf(const CLI::Option* option) {
  return option->get_lnames().empty() ? option->get_name() : "--" + option->get_lnames().front();
}

ShortFlags CollectShortFlags(const CLI::App& app) {
  ShortFlags flags;
  auto add = [&flags](const CLI::App& where, const std::string& owner) {
    for (const CLI::Option* option : where.get_options()) {
      if (option == where.get_help_ptr()) continue;  // -h, --help: the same in every command, by CLI11
      for (const std::string& name : option->get_snames()) flags["-" + name][LongNameOf(option)].insert(owner);
    }
  };
  add(app, "(global)");
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) add(*sub, sub->get_name());
  return flags;
}

// The short flags with more than one meaning, described ("-p: --pid in record; --policy in run;").
std::vector<std::string> Conflicts(const ShortFlags& flags) {
  std::vector<std::string> conflicts;
  for (const auto& [flag, meanings] : flags) {
    if (meanings.size() == 1) continue;
    std::string text = flag + ":";
    for (const auto& [long_name, owners] : meanings) {
      text += " " + long_name + " in";
      for (const std::string& owner : owners) text += " " + owner;
      text += ";";
    }
    conflicts.push_back(text);
  }
  return conflicts;
}

// The walk itself finds a conflict where there is one (the state before docs/cli.md's rule).
TEST(ShortFlagWalk, FindsAFlagWithTwoMeanings) {
  CLI::App app{"test", "test"};
  std::string policy;
  int pid = 0;
  app.add_subcommand("record")->add_option("-p,--pid", pid, "");
  app.add_subcommand("run")->add_option("--policy,-p", policy, "");
  app.add_subcommand("lint")->add_option("--pid", pid, "");
  const std::vector<std::string> conflicts = Conflicts(CollectShortFlags(app));
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0], "-p: --pid in record; --policy in run;");
}

class CliFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { SetUpApp(app_, &status_); }
  CLI::App app_{"sysfence", "sysfence"};
  int status_ = 0;
};

TEST_F(CliFlagsTest, EveryShortFlagHasOneMeaningAcrossCommands) {
  const ShortFlags flags = CollectShortFlags(app_);
  ASSERT_GT(flags.size(), 5u);
  for (const std::string& conflict : Conflicts(flags)) ADD_FAILURE() << conflict;
}

// A command may not define a short flag the app already takes for every command: it would shadow
// the global one after the command name.
TEST_F(CliFlagsTest, NoCommandShadowsAGlobalShortFlag) {
  for (const auto& [flag, meanings] : CollectShortFlags(app_)) {
    for (const auto& [long_name, owners] : meanings) {
      if (owners.count("(global)") != 0) {
        EXPECT_EQ(owners.size(), 1u) << flag << " (" << long_name << ") is global and redefined by a command";
      }
    }
  }
}

TEST_F(CliFlagsTest, PidIsDashPEverywhereAndRunsPolicyIsDashCapitalP) {
  const ShortFlags flags = CollectShortFlags(app_);
  ASSERT_EQ(flags.count("-p"), 1u);
  EXPECT_EQ(flags.at("-p").begin()->first, "--pid");
  ASSERT_EQ(flags.count("-P"), 1u);
  EXPECT_EQ(flags.at("-P").begin()->first, "--policy");
  EXPECT_EQ(flags.at("-P").begin()->second, std::set<std::string>{"run"});
  ASSERT_EQ(flags.count("-q"), 1u);
  EXPECT_EQ(flags.at("-q").begin()->second, std::set<std::string>{"(global)"});
  ASSERT_EQ(flags.count("-v"), 1u);
  EXPECT_EQ(flags.at("-v").begin()->second, std::set<std::string>{"(global)"});
}

// docs/cli.md's table lists exactly the short flags the CLI defines, with their long names and
// commands: `| \`-p\` | \`--pid\` | lint, record |`.
TEST_F(CliFlagsTest, DocsTableIsTheCliDefinitions) {
  std::ifstream docs(test_paths::SourceDir() + "/docs/cli.md");
  ASSERT_TRUE(docs) << "docs/cli.md is missing";
  const std::regex row(R"(^\| `(-[A-Za-z])` \| `(--[a-z-]+)` \| ([^|]+) \|\s*$)");
  ShortFlags documented;
  std::string line;
  while (std::getline(docs, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, row)) continue;
    std::stringstream commands(match[3].str());
    std::string command;
    while (std::getline(commands, command, ',')) {
      command.erase(0, command.find_first_not_of(' '));
      command.erase(command.find_last_not_of(' ') + 1);
      documented[match[1].str()][match[2].str()].insert(command == "all (global)" ? "(global)" : command);
    }
  }
  EXPECT_EQ(documented, CollectShortFlags(app_));
}

}  // namespace
}  // namespace sysfence::cli
