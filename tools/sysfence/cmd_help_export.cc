// SPDX-License-Identifier: Apache-2.0
// `sysfence help-export` (hidden): the man pages and shell completions, generated at build time from
// the same CLI11 definitions --help prints, so they cannot drift from it (packaging/CMakeLists.txt).
#include <string>

#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/completion.h"
#include "tools/sysfence/man_page.h"

namespace sysfence::cli {
namespace {

struct HelpExportFlags {
  std::string man_dir;
  std::string completion;
  bool value_sets = false;
  std::string version;
};

int WriteManPages(const ToolInfo& tool, const HelpExportFlags& flags) {
  auto written = WriteOutputFile(flags.man_dir + "/" + tool.root.name + ".1", RootManPage(tool, flags.version));
  if (!written.ok()) return ReportError(written.error());
  for (const CommandInfo& command : tool.commands) {
    const std::string path = flags.man_dir + "/" + tool.root.name + "-" + command.name + ".1";
    written = WriteOutputFile(path, CommandManPage(tool, command, flags.version));
    if (!written.ok()) return ReportError(written.error());
  }
  return kExitOk;
}

// One line per option with a value set: "COMMAND OPTION WORD..." (COMMAND "sysfence" for the global
// options), for the tests that hold the completions and the CLI to the same words.
std::string ValueSetLines(const ToolInfo& tool) {
  std::string out;
  auto add = [&out](const std::string& command, const OptionInfo& option) {
    if (option.choices.empty()) return;
    out += command + " " + (option.long_names.empty() ? option.positional_name : "--" + option.long_names[0]);
    for (const std::string& word : option.choices) out += " " + word;
    out += "\n";
  };
  for (const OptionInfo& option : tool.root.options) add(tool.root.name, option);
  for (const CommandInfo& command : tool.commands) {
    for (const OptionInfo& option : command.options) add(command.name, option);
    for (const OptionInfo& option : command.positionals) add(command.name, option);
  }
  return out;
}

int HelpExportCommand(const CLI::App& root, const HelpExportFlags& flags) {
  const int given = !flags.man_dir.empty() + !flags.completion.empty() + flags.value_sets;
  if (given != 1) return BadInput("give one of --man DIR, --completion SHELL and --value-sets");
  const ToolInfo tool = DescribeApp(root);
  if (!flags.man_dir.empty()) return WriteManPages(tool, flags);
  if (flags.value_sets) {
    auto written = WriteOutputFile("-", ValueSetLines(tool));
    return written.ok() ? kExitOk : ReportError(written.error());
  }
  std::string script;
  if (flags.completion == "bash") {
    script = BashCompletion(tool, TableWords());
  } else if (flags.completion == "zsh") {
    script = ZshCompletion(tool, TableWords());
  } else if (flags.completion == "fish") {
    script = FishCompletion(tool, TableWords());
  } else {
    return BadInput("unknown shell '" + flags.completion + "' (bash, zsh, fish)");
  }
  auto written = WriteOutputFile("-", script);
  return written.ok() ? kExitOk : ReportError(written.error());
}

const CommandRegistration kRegistration(1000, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("help-export", "Write the man pages or a shell completion (build time)");
  sub->group("");  // hidden: for the build, not for users
  auto flags = std::make_shared<HelpExportFlags>();
  sub->add_option("--man", flags->man_dir, "Directory to write sysfence.1 and sysfence-COMMAND.1 into");
  sub->add_option("--completion", flags->completion, "bash, zsh or fish: print that shell's completion");
  sub->add_flag("--value-sets", flags->value_sets, "Print each option that takes one of a set of words, and the words");
  sub->add_option("--source-version", flags->version, "Version named in the man pages")->default_val("0.1.0");
  const CLI::App* root = &app;
  sub->callback([root, flags, exit_status] { *exit_status = HelpExportCommand(*root, *flags); });
});

}  // namespace
}  // namespace sysfence::cli
