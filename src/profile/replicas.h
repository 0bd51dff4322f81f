// SPDX-License-Identifier: Apache-2.0
// Provenance for a policy generated from the recordings of several replicas of one workload:
// which replica (pod, node) made the calls each rule lets through, and the names the Security
// Profiles Operator gives recorded profiles.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "profile/profile.h"

namespace sysfence::profile {

/// One replica's recording and how it is called in comments ("web-7c9d@node-a").
struct Replica {
  std::string label;
  const Profile* profile = nullptr;
};

/// The comment line saying which of `replicas` called the syscalls `rule` names: "seen by all 3
/// replicas", "seen by 2 of 3 replicas: a, b", or, where the syscalls differ, per syscall
/// ("seen by 1 of 3 replicas: read: a; write: a, b"). Empty when no replica called any of them
/// (a fallback rule such as `errno ENOSYS clone3`).
std::string SeenByLine(const policy::Rule& rule, const std::vector<Replica>& replicas);

/// Appends SeenByLine to the comment of every rule of `policy` it is not empty for.
void AnnotateReplicas(policy::Policy& policy, const std::vector<Replica>& replicas);

/// The name the Security Profiles Operator gives the profile a ProfileRecording `recording`
/// records for container `container`, merged over replicas: "<recording>-<container>".
std::string RecordedProfileName(std::string_view recording, std::string_view container);

/// The replica part of a per-replica recorded profile's name, "<recording>-<container>-<replica>"
/// (file extensions ignored); `name` itself when it does not start that way.
std::string ReplicaSuffix(std::string_view name, std::string_view recording, std::string_view container);

}  // namespace sysfence::profile
