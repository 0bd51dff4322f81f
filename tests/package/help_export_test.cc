// SPDX-License-Identifier: Apache-2.0
// The pieces of `sysfence help-export`: reading a CLI11 app, escaping for groff, prose to man
// macros, what completes each value. (The generated files against the real CLI and real shells:
// check_man_pages.py and completion_test.sh.)
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tools/sysfence/completion.h"
#include "tools/sysfence/help_model.h"
#include "tools/sysfence/man_page.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

TEST(GroffEscapeTest, EscapesRequestsBackslashesDashesAndNonAscii) {
  EXPECT_EQ(GroffEscape(".sfp files"), "\\&.sfp files");
  EXPECT_EQ(GroffEscape("'quoted'"), "\\&'quoted'");
  EXPECT_EQ(GroffEscape("a.b"), "a.b");
  EXPECT_EQ(GroffEscape("C:\\path"), "C:\\epath");
  EXPECT_EQ(GroffEscape("--format"), "\\-\\-format");
  EXPECT_EQ(GroffEscape("a → b — c"), "a \\[u2192] b \\[u2014] c");
  EXPECT_EQ(GroffEscape("line\n.second"), "line\n\\&.second");
}

TEST(ProseToGroffTest, FillsParagraphsAndKeepsIndentedBlocks) {
  const std::string groff = ProseToGroff(
      "First line\nof a paragraph.\n\nExamples:\n  sysfence compile web.sfp\n    -o web.bpf\nAfter.");
  EXPECT_EQ(groff,
            ".PP\nFirst line\nof a paragraph.\n"
            ".PP\nExamples:\n"
            ".RS 2\n.nf\nsysfence compile web.sfp\n  \\-o web.bpf\n.fi\n.RE\n"
            "After.\n");
}

std::unique_ptr<CLI::App> MakeApp() {
  auto owned = std::make_unique<CLI::App>("tool summary", "tool");
  CLI::App& app = *owned;
  app.footer("Exit status: 0 ok.");
  CLI::App* eval = app.add_subcommand("eval", "Evaluate one syscall");
  eval->footer("Long text.");
  static std::string file, syscall, out, format, action, policy, cgroup;
  static std::vector<std::string> args, arches;
  static int count = 0, pid = 0;
  static bool flag = false;
  eval->add_option("file", file, "The filter")->required();
  eval->add_option("syscall", syscall, "Syscall name");
  eval->add_option("args", args, "Arguments");
  eval->add_option("-o,--output", out, "Output");
  eval->add_option("--arch", arches, "ABIs")->delimiter(',');
  eval->add_option("--count", count, "How many");
  eval->add_flag("--flag", flag, "A flag");
  eval->add_option("--secret", out, "Hidden")->group("");
  OneOf(eval->add_option("--format", format, "What to print"), {"text", "json"});
  eval->add_option("--default", action, "errno or kill");
  eval->add_option("-P,--policy", policy, "A policy");
  eval->add_option("--pid", pid, "A process");
  eval->add_option("--cgroup", cgroup, "A cgroup");
  app.add_subcommand("hidden", "Not for users")->group("");
  return owned;
}

TEST(DescribeAppTest, ReadsCommandsOptionsAndPositionalsLeavingHiddenOnesOut) {
  const std::unique_ptr<CLI::App> app = MakeApp();
  const ToolInfo tool = DescribeApp(*app);
  EXPECT_EQ(tool.root.name, "tool");
  EXPECT_EQ(tool.root.prose, "Exit status: 0 ok.");
  ASSERT_EQ(tool.commands.size(), 1u);
  const CommandInfo& eval = tool.commands[0];
  EXPECT_EQ(eval.summary, "Evaluate one syscall");
  EXPECT_EQ(eval.prose, "Long text.");
  ASSERT_EQ(eval.positionals.size(), 3u);
  EXPECT_EQ(eval.positionals[0].positional_name, "file");
  EXPECT_TRUE(eval.positionals[0].required);
  EXPECT_TRUE(eval.positionals[2].repeats);
  std::vector<std::string> options;
  for (const OptionInfo& option : eval.options) options.push_back(option.long_names.at(0));
  EXPECT_EQ(options, (std::vector<std::string>{"help", "output", "arch", "count", "flag", "format", "default", "policy",
                                              "pid", "cgroup"}));
  EXPECT_TRUE(eval.options[4].IsFlag());
  EXPECT_EQ(eval.options[1].short_names, std::vector<std::string>{"o"});
  EXPECT_EQ(eval.options[3].value_name, "INT");
  EXPECT_EQ(eval.options[5].choices, (std::vector<std::string>{"text", "json"}));
  EXPECT_TRUE(eval.options[1].choices.empty());
}

TEST(OneOfTest, RefusesOtherWordsWhileParsingAndShowsTheWordsInHelp) {
  CLI::App app("test", "tool");
  std::string color;
  OneOf(app.add_option("--color", color, "When"), {"auto", "always", "never"});
  app.parse(std::vector<std::string>{"always", "--color"});  // CLI11 takes the arguments reversed
  EXPECT_EQ(color, "always");
  try {
    app.parse(std::vector<std::string>{"sometimes", "--color"});
    ADD_FAILURE() << "sometimes was accepted";
  } catch (const CLI::ValidationError& error) {
    EXPECT_EQ(std::string(error.what()), "--color: 'sometimes' is not one of auto, always, never");
  }
  EXPECT_NE(app.help().find("--color TEXT:{auto,always,never}"), std::string::npos) << app.help();
  EXPECT_EQ(OneOfWords(*app.get_option("--color")), (std::vector<std::string>{"auto", "always", "never"}));
}

TEST(OneOfTest, AnOpenSetAcceptsWhatItsPredicateTakesAndOffersItsWords) {
  CLI::App app("test", "tool");
  std::string base;
  auto accepts = [](const std::string& value) { return value.rfind("runc", 0) == 0; };
  OneOf(app.add_option("--base", base, "A base"), {"runc-v1.1.x", "runc"}, accepts);
  app.parse(std::vector<std::string>{"runc-v1.1.5", "--base"});
  EXPECT_EQ(base, "runc-v1.1.5");
  EXPECT_THROW(app.parse(std::vector<std::string>{"crun", "--base"}), CLI::ValidationError);
  EXPECT_EQ(OneOfWords(*app.get_option("--base")), (std::vector<std::string>{"runc-v1.1.x", "runc"}));
  std::string other;
  CLI::Option* option = app.add_option("--other", other, "Another");
  EXPECT_THROW(OneOf(option, {"crun"}, accepts), std::logic_error);  // offered, yet refused
}

TEST(OneOfTest, AnOptionWithoutWordsHasNone) {
  CLI::App app("test", "tool");
  std::string name;
  std::string path;
  app.add_option("--name", name, "Any name");
  app.add_option("--path", path, "A file")->check(CLI::ExistingFile);
  EXPECT_TRUE(OneOfWords(*app.get_option("--name")).empty());
  EXPECT_TRUE(OneOfWords(*app.get_option("--path")).empty());
}

TEST(OneOfTest, RefusesWordsItCouldNotListBack) {
  CLI::App app("test", "tool");
  std::string value;
  CLI::Option* option = app.add_option("--value", value, "A value");
  EXPECT_THROW(OneOf(option, {"a,b"}), std::logic_error);
  EXPECT_THROW(OneOf(option, {"{a}"}), std::logic_error);
  EXPECT_THROW(OneOf(option, {""}), std::logic_error);
}

TEST(KindOfTest, NamesWhatCompletesEachValue) {
  const std::unique_ptr<CLI::App> app = MakeApp();
  const CommandInfo eval = DescribeApp(*app).commands[0];
  EXPECT_EQ(KindOf(eval, eval.positionals[0]), ValueKind::kFilterFile);
  EXPECT_EQ(KindOf(eval, eval.positionals[1]), ValueKind::kSyscall);
  EXPECT_EQ(KindOf(eval, eval.positionals[2]), ValueKind::kConstant);
  EXPECT_EQ(KindOf(eval, eval.options[1]), ValueKind::kFile);
  EXPECT_EQ(KindOf(eval, eval.options[2]), ValueKind::kArch);
  EXPECT_EQ(KindOf(eval, eval.options[3]), ValueKind::kNone);
  EXPECT_EQ(KindOf(eval, eval.options[4]), ValueKind::kNone);
  EXPECT_EQ(KindOf(eval, eval.options[5]), ValueKind::kChoices);
  EXPECT_EQ(KindOf(eval, eval.options[6]), ValueKind::kErrnoOrKill);
  EXPECT_EQ(KindOf(eval, eval.options[7]), ValueKind::kPolicyFile);
  EXPECT_EQ(KindOf(eval, eval.options[8]), ValueKind::kPid);
  EXPECT_EQ(KindOf(eval, eval.options[9]), ValueKind::kCgroup);
  CommandInfo compile;
  compile.name = "compile";
  OptionInfo policy;
  policy.positional_name = "policy";
  policy.value_name = "TEXT";
  EXPECT_EQ(KindOf(compile, policy), ValueKind::kPolicyFile);
  OptionInfo file = policy;
  file.positional_name = "file";
  EXPECT_EQ(KindOf(compile, file), ValueKind::kFilterFile);
}

TEST(ManPageTest, CommandPageHasSynopsisDescriptionOptionsAndExitStatus) {
  const std::unique_ptr<CLI::App> app = MakeApp();
  const ToolInfo tool = DescribeApp(*app);
  const std::string page = CommandManPage(tool, tool.commands[0], "1.2.3");
  EXPECT_NE(page.find(".TH TOOL\\-EVAL 1 \"\" \"sysfence 1.2.3\""), std::string::npos) << page;
  EXPECT_NE(page.find(".SH NAME\ntool\\-eval \\- Evaluate one syscall\n"), std::string::npos) << page;
  EXPECT_NE(page.find(".B tool eval\n[\\fIOPTIONS\\fR] \\fIfile\\fR [\\fIsyscall\\fR] [\\fIargs\\fR ...]"),
            std::string::npos) << page;
  EXPECT_NE(page.find(".SH DESCRIPTION\n.PP\nLong text.\n"), std::string::npos) << page;
  EXPECT_NE(page.find("\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fITEXT\\fR\nOutput\n"), std::string::npos) << page;
  EXPECT_NE(page.find(".SH EXIT STATUS\n.PP\nExit status: 0 ok.\n"), std::string::npos) << page;
  EXPECT_EQ(page.find("secret"), std::string::npos) << page;
}

TEST(CompletionTest, ScriptsCarryCommandsOptionsAndTableWords) {
  const std::unique_ptr<CLI::App> app = MakeApp();
  const ToolInfo tool = DescribeApp(*app);
  CompletionWords words;
  words.syscalls = {"openat", "read"};
  words.groups = {"@file-system"};
  words.constants = {"O_RDONLY"};
  words.arches = {"x86_64"};
  words.default_actions = {"EPERM", "kill"};
  const std::string bash = BashCompletion(tool, words);
  EXPECT_NE(bash.find("_sysfence_commands='eval'"), std::string::npos);
  EXPECT_NE(bash.find("_sysfence_syscalls='openat read'"), std::string::npos);
  EXPECT_NE(bash.find("_sysfence_default_actions='EPERM kill'"), std::string::npos);
  EXPECT_NE(bash.find("option_kinds=( [-o]=file [--output]=file [--arch]=arch [--count]=none [--format]='words:text json'"
                      " [--default]=default-action [-P]=policy-file [--policy]=policy-file [--pid]=pid [--cgroup]=cgroup )"),
            std::string::npos) << bash;
  EXPECT_NE(bash.find("positional_kinds=( filter-file syscall constant )"), std::string::npos) << bash;
  EXPECT_EQ(bash.find("hidden"), std::string::npos);
  const std::string fish = FishCompletion(tool, words);
  EXPECT_NE(fish.find("complete -c sysfence -n '__sysfence_using_command eval' -l arch -x -a 'x86_64' -d 'ABIs'"),
            std::string::npos) << fish;
  EXPECT_NE(fish.find("-l format -x -a 'text json' -d 'What to print'"), std::string::npos) << fish;
  EXPECT_NE(fish.find("-l default -x -a 'EPERM kill'"), std::string::npos) << fish;
  EXPECT_NE(fish.find("-l pid -x -a '(__fish_complete_pids)'"), std::string::npos) << fish;
  const std::string zsh = ZshCompletion(tool, words);
  EXPECT_NE(zsh.find("'2:syscall:compadd -a syscalls'"), std::string::npos) << zsh;
  EXPECT_NE(zsh.find("'*--arch=[ABIs]:TEXT:compadd -a arches'"), std::string::npos) << zsh;
  // The value name without CLI11's ":{text,json}", whose ':' would end the specification early.
  EXPECT_NE(zsh.find("'--format=[What to print]:TEXT:(text json)'"), std::string::npos) << zsh;
  EXPECT_NE(zsh.find("'--pid=[A process]:INT:_pids'"), std::string::npos) << zsh;
}

}  // namespace
}  // namespace sysfence::cli
