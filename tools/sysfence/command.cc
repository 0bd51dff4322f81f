// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/command.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "tools/sysfence/build_info.h"
#include "tools/sysfence/global_options.h"

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

std::string VersionText() {
  return std::string("sysfence ") + kBuildVersion + " (commit " + kBuildCommit + ")";
}

void SetUpApp(CLI::App& app, int* exit_status) {
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionText(), "Print the version and the git commit it was built from");
  AddGlobalOptions(app);
  SetUpCommands(app, exit_status);
}

}  // namespace sysfence::cli
