// SPDX-License-Identifier: Apache-2.0
// Recording a whole container and turning the recording into a profile that starts it: the
// container's processes are followed from the runtime's init (before the container's first
// instruction) and through its cgroup, counted from the program's execve on, and the runtime's
// base profile (formats/base_profiles.h: what runc or crun calls after installing the filter)
// is merged in.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <string>

#include "container/oci_state.h"
#include "core/result.h"
#include "policy/policy.h"
#include "profile/profile.h"
#include "record/recorder.h"

namespace sysfence::container {

/// The runtime that runs a hook: the base name of its parent's executable ("runc", "crun");
/// kNotFound when it cannot be read.
Result<std::string> RuntimeOfParent(pid_t parent);

/// The bundled base for `runtime` ("runc" → "runc-v1.1.x"). kUnsupported, naming the runtimes
/// sysfence knows, when there is none: without it a profile cannot start the container.
Result<std::string> BaseForRuntime(const std::string& runtime);

/// How to record a container.
struct ContainerRecordOptions {
  pid_t init_pid = 0;  ///< the container's init, waiting to exec the program (state.pid)
  /// Also follow the init's cgroup (processes that enter it later, such as `runc exec`), unless
  /// it is the recorder's own cgroup or the root (then only the process tree).
  bool follow_cgroup = true;
  const std::atomic<int>* stop_signal = nullptr;  ///< set to stop early
  std::function<void()> on_attached;              ///< called once recording is under way
};

/// Records the container (ebpf backend) until every process of it has exited.
Result<record::RecordResult> RecordContainer(const ContainerRecordOptions& options);

/// Whether the runtime applies seccomp filter flags: crun does; runc 1.1 refuses every flag ("seccomp
/// flags are not yet supported by runc"), so a profile for it must carry none.
bool RuntimeAcceptsFilterFlags(const std::string& runtime);

/// The profile of a container recording: the generated policy merged with the runtime's base
/// `base_name` ("" for none), with a leading comment saying both. `log_denials` adds the filter
/// flag SECCOMP_FILTER_FLAG_LOG, so the kernel logs every refusal (`sysfence watch` reports it).
Result<policy::Policy> ContainerPolicy(const profile::Profile& recording, const std::string& base_name,
                                       const std::string& container_id, bool log_denials = false);

/// The profile as text in `format`: .sfp (the generated form, with its evidence), OCI/Docker JSON
/// or a Kubernetes SeccompProfile named after the container. Errors: what the format cannot carry.
Result<std::string> RenderContainerProfile(const profile::Profile& recording, const policy::Policy& policy,
                                           ProfileFormat format, const std::string& container_id);

}  // namespace sysfence::container
