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

int HelpExportCommand(const CLI::App& root, const HelpExportFlags& flags) {
  if (flags.man_dir.empty() == flags.completion.empty()) return BadInput("give one of --man DIR and --completion SHELL");
  const ToolInfo tool = DescribeApp(root);
  if (!flags.man_dir.empty()) return WriteManPages(tool, flags);
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
  sub->add_option("--source-version", flags->version, "Version named in the man pages")->default_val("0.1.0");
  const CLI::App* root = &app;
  sub->callback([root, flags, exit_status] { *exit_status = HelpExportCommand(*root, *flags); });
});

}  // namespace
}  // namespace sysfence::cli
