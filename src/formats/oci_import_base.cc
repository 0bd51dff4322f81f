// SPDX-License-Identifier: Apache-2.0
// A Security Profiles Operator profile's `baseProfileName`, resolved against the bundled runtime
// bases (formats/base_profiles.h): SPO unites a profile with its base, so the base's calls become
// one allow rule after the profile's own rules.
#include "formats/base_profiles.h"
#include "formats/oci_import_internal.h"

namespace sysfence::formats::oci_import_internal {

void Importer::AddBaseProfileRule(const Json& name, const std::string& path, std::vector<ParsedRule>& rules) {
  if (name.is_null()) return;
  std::optional<std::string> text = GetString(name, path);
  if (!text || text->empty()) return;
  Result<std::vector<std::string>> syscalls = BaseProfileSyscalls(*text);
  if (!syscalls.ok()) {
    Error(path, syscalls.error().message,
          "without its base the profile cannot start a container (the runtime's own calls are missing)");
    return;
  }
  ParsedRule rule;
  rule.index = rules.empty() ? 0 : rules.back().index + 1;
  rule.path = path;
  rule.names = syscalls.value();
  rule.action = Action::Allow();
  rule.comment = "base profile " + ResolveBaseProfileName(*text).value_or(*text);
  rules.push_back(std::move(rule));
}

}  // namespace sysfence::formats::oci_import_internal
