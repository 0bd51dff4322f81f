// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_config.h"

#include <nlohmann/json.hpp>

#include "formats/oci_export.h"

namespace sysfence::formats {

Result<std::string> ExportOciConfig(const policy::Policy& policy, Diagnostics& diagnostics) {
  // LowerToOci warns about fs/net rules itself (the seccomp schema drops them too).
  auto profile = LowerToOci(policy, diagnostics);
  if (!profile.ok()) return profile.error();
  nlohmann::ordered_json root;
  root["linux"]["seccomp"] = nlohmann::ordered_json::parse(WriteDockerJson(*profile));
  return root.dump(2) + "\n";
}

}  // namespace sysfence::formats
