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
  static std::string file, syscall, out;
  static std::vector<std::string> args, arches;
  static int count = 0;
  static bool flag = false;
  eval->add_option("file", file, "The filter")->required();
  eval->add_option("syscall", syscall, "Syscall name");
  eval->add_option("args", args, "Arguments");
  eval->add_option("-o,--output", out, "Output");
  eval->add_option("--arch", arches, "ABIs")->delimiter(',');
  eval->add_option("--count", count, "How many");
  eval->add_flag("--flag", flag, "A flag");
  eval->add_option("--secret", out, "Hidden")->group("");
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
  EXPECT_EQ(options, (std::vector<std::string>{"help", "output", "arch", "count", "flag"}));
  EXPECT_TRUE(eval.options[4].IsFlag());
  EXPECT_EQ(eval.options[1].short_names, std::vector<std::string>{"o"});
  EXPECT_EQ(eval.options[3].value_name, "INT");
}

TEST(KindOfTest, NamesWhatCompletesEachValue) {
  const std::unique_ptr<CLI::App> app = MakeApp();
  const CommandInfo eval = DescribeApp(*app).commands[0];
  EXPECT_EQ(KindOf(eval, eval.positionals[0]), ValueKind::kFile);
  EXPECT_EQ(KindOf(eval, eval.positionals[1]), ValueKind::kSyscall);
  EXPECT_EQ(KindOf(eval, eval.positionals[2]), ValueKind::kConstant);
  EXPECT_EQ(KindOf(eval, eval.options[1]), ValueKind::kFile);
  EXPECT_EQ(KindOf(eval, eval.options[2]), ValueKind::kArch);
  EXPECT_EQ(KindOf(eval, eval.options[3]), ValueKind::kNone);
  EXPECT_EQ(KindOf(eval, eval.options[4]), ValueKind::kNone);
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
  const std::string bash = BashCompletion(tool, words);
  EXPECT_NE(bash.find("_sysfence_commands='eval'"), std::string::npos);
  EXPECT_NE(bash.find("_sysfence_syscalls='openat read'"), std::string::npos);
  EXPECT_NE(bash.find("option_kinds=( [-o]=file [--output]=file [--arch]=arch [--count]=none )"), std::string::npos)
      << bash;
  EXPECT_NE(bash.find("positional_kinds=( file syscall constant )"), std::string::npos) << bash;
  EXPECT_EQ(bash.find("hidden"), std::string::npos);
  const std::string fish = FishCompletion(tool, words);
  EXPECT_NE(fish.find("complete -c sysfence -n '__fish_seen_subcommand_from eval' -l arch -x -a 'x86_64' -d 'ABIs'"),
            std::string::npos) << fish;
  const std::string zsh = ZshCompletion(tool, words);
  EXPECT_NE(zsh.find("'2:syscall:compadd -a syscalls'"), std::string::npos) << zsh;
  EXPECT_NE(zsh.find("'*--arch=[ABIs]:TEXT:compadd -a arches'"), std::string::npos) << zsh;
}

}  // namespace
}  // namespace sysfence::cli
