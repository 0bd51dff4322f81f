// SPDX-License-Identifier: Apache-2.0
#include "formats/kubernetes_notes.h"

namespace sysfence::formats {

std::vector<std::string> SeccompProfileCannotCarry(const policy::Policy& policy) {
  std::vector<std::string> notes;
  if (!policy.fs_rules.empty()) {
    notes.push_back("a SeccompProfile cannot carry fs rules (Landlock): use the container's "
                    "securityContext.readOnlyRootFilesystem and read-only volume mounts");
  }
  if (!policy.net_rules.empty()) {
    notes.push_back("a SeccompProfile cannot carry net rules (Landlock TCP ports): use a NetworkPolicy");
  }
  return notes;
}

}  // namespace sysfence::formats
