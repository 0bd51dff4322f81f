// SPDX-License-Identifier: Apache-2.0
// sysfence: record what a program asks of the kernel, turn it into a policy, compile it into a
// seccomp filter, run programs under it, and inspect any filter.
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  Registry().emplace_back(order, std::move(setup));
}

void SetUpCommands(CLI::App& app, int* exit_status) {
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : registry) setup(app, exit_status);
}

}  // namespace sysfence::cli

int main(int argc, char** argv) {
  CLI::App app{
      "sysfence: least privilege for Linux programs.\n"
      "Record what a program asks of the kernel, turn it into a readable policy, compile it into a\n"
      "seccomp-BPF filter, run programs under it (monitor or enforce), and inspect any filter.\n"
      "Run 'sysfence COMMAND --help' for each command; docs/ has the full reference.",
      "sysfence"};
  app.footer(
      "Files: inputs are regular files, pipes or - (standard input), at most 16 MiB; a directory or\n"
      "device is refused. Outputs (-o, --json, fmt -w) replace a regular file atomically and write\n"
      "through a symlink, device or FIFO without replacing it.\n"
      "Exit status: 0 success, 1 findings, 2 bad input (nothing written), 3 the environment refused\n"
      "(permissions, kernel features, a failed write such as a full disk).");
  app.require_subcommand(1);
  app.set_version_flag("--version", "sysfence 0.1.0");
  int exit_status = sysfence::cli::kExitOk;
  sysfence::cli::SetUpCommands(app, &exit_status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return sysfence::cli::kExitBadInput;  // usage errors are bad input: exit 2, nothing done
  }
  std::fflush(stdout);
  return exit_status;
}
