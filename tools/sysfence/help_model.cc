// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/help_model.h"

#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

OptionInfo DescribeOption(const CLI::Option& option) {
  OptionInfo info;
  info.short_names = option.get_snames();
  info.long_names = option.get_lnames();
  if (!option.nonpositional()) info.positional_name = option.get_name(true);
  if (option.get_type_size_max() > 0) info.value_name = option.get_type_name();
  info.description = option.get_description();
  info.choices = OneOfWords(option);
  info.required = option.get_required();
  info.repeats = option.get_items_expected_max() > 1 || option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  return info;
}

CommandInfo DescribeCommand(const CLI::App& app) {
  CommandInfo info;
  info.name = app.get_name();
  info.summary = app.get_description();
  info.prose = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    OptionInfo described = DescribeOption(*option);
    (described.positional_name.empty() ? info.options : info.positionals).push_back(std::move(described));
  }
  return info;
}

}  // namespace

ToolInfo DescribeApp(const CLI::App& app) {
  ToolInfo tool;
  tool.root = DescribeCommand(app);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* candidate) { return !candidate->get_group().empty(); })) {
    tool.commands.push_back(DescribeCommand(*sub));
  }
  return tool;
}

}  // namespace sysfence::cli
