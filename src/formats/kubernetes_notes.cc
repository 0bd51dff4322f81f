// SPDX-License-Identifier: Apache-2.0
#include "formats/kubernetes_notes.h"

namespace sysfence::formats {

std::vector<std::string> SeccompProfileCannotCarry(const policy::Policy& policy) {
  std::vector<std::string> notes;
  if (policy.caps) {
    notes.push_back("a SeccompProfile cannot carry 'caps keep': set the container's securityContext.capabilities "
                    "(drop: [ALL], add: the kept ones)");
  }
  if (policy.unshare) {
    notes.push_back("a SeccompProfile cannot carry 'unshare': a pod has its own network, IPC and UTS namespaces "
                    "unless hostNetwork/hostIPC, a user namespace with hostUsers: false, and each container its own PID namespace unless shareProcessNamespace");
  }
  if (!policy.rlimits.empty()) {
    notes.push_back("a SeccompProfile cannot carry 'rlimit' lines, and a pod has no per-container rlimits: they "
                    "come from the container runtime (resources.limits bound memory and CPU instead)");
  }
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
