// SPDX-License-Identifier: Apache-2.0
// sysfence: record what a program asks of the kernel, turn it into a policy, compile it into a
// seccomp filter, run programs under it, and inspect any filter.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"

namespace {

// The names of every command, for suggestions.
std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// A usage error: 2, except for `run`, whose statuses 1..124 belong to the program (125 is its own).
int UsageErrorStatus(CLI::App& app) {
  CLI::App* run = app.get_subcommand_ptr("run").get();
  return run != nullptr && run->parsed() > 0 ? sysfence::cli::kExitRunFailed : sysfence::cli::kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sysfence: least privilege for Linux programs.\n"
      "Record what a program asks of the kernel, turn it into a readable policy, compile it into a\n"
      "seccomp-BPF filter, run programs under it (monitor or enforce), and inspect any filter.\n"
      "Run 'sysfence COMMAND --help' for each command; docs/ has the full reference (docs/cli.md:\n"
      "the options every command shares).",
      "sysfence"};
  app.footer(
      "Global options (-q, -v, --color) go before or after the command name. Colour marks errors and\n"
      "warnings on a terminal only; NO_COLOR (set, not empty) turns it off, --color=always on.\n"
      "Files: inputs are regular files, pipes or - (standard input), at most 16 MiB; a directory or\n"
      "device is refused. Outputs (-o, --json, fmt -w) replace a regular file atomically and write\n"
      "through a symlink, device or FIFO without replacing it.\n"
      "Exit status: 0 success, 1 findings, 2 bad input (nothing written), 3 the environment refused\n"
      "(permissions, kernel features, a failed write such as a full disk). `run` differs: it exits\n"
      "with the program's status, and 125/126/127 for its own failures (see sysfence run --help).");
  int exit_status = sysfence::cli::kExitOk;
  sysfence::cli::SetUpApp(app, &exit_status);
  if (auto unknown = sysfence::cli::UnknownCommand(app, argc, argv)) {
    std::string message = "sysfence: error: unknown command '" + *unknown + "'";
    if (auto nearest = sysfence::cli::NearestName(*unknown, CommandNames(app))) {
      message += "; did you mean '" + *nearest + "'?";
    }
    std::fprintf(stderr, "%s\nRun 'sysfence --help' for the list of commands.\n", message.c_str());
    return sysfence::cli::kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error (CLI11's own adds "Run with --help ...").
    std::fprintf(stderr, "sysfence: %s %s (see --help)\n",
                 sysfence::cli::Paint("error:", sysfence::cli::Tint::kError, stderr).c_str(), e.what());
    const int status = UsageErrorStatus(app);  // nothing was done
    if (status == sysfence::cli::kExitRunFailed && std::string(e.what()).find("-p") != std::string::npos) {
      std::fputs("sysfence: note: -p means --pid in every command; run's policy is -P or --policy\n", stderr);
    }
    return status;
  }
  std::fflush(stdout);
  return exit_status;
}
