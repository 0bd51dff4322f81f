// SPDX-License-Identifier: Apache-2.0
#include "container/container_record.h"

#include <unistd.h>

#include "core/diagnostic.h"
#include "formats/base_profiles.h"
#include "formats/kubernetes.h"
#include "formats/oci_export.h"
#include "os/cgroup.h"
#include "os/proc.h"
#include "record/generate.h"

namespace sysfence::container {
namespace {

// The cgroup to follow: the init's, unless it is the recorder's own or the root of the hierarchy
// (a runtime run without cgroups): following those would record unrelated processes.
std::string CgroupToFollow(pid_t init_pid) {
  Result<std::string> theirs = os::CgroupDirOf(init_pid);
  Result<std::string> ours = os::CgroupDirOf(getpid());
  if (!theirs.ok()) return "";
  if (ours.ok() && ours.value() == theirs.value()) return "";
  if (theirs.value() == os::CgroupV2Mount() || theirs.value() + "/" == os::CgroupV2Mount() + "/") return "";
  return theirs.value();
}

std::string FirstError(const Diagnostics& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::kError) return diagnostic.message;
  }
  return "the export failed";
}

}  // namespace

Result<std::string> RuntimeOfParent(pid_t parent) {
  // The executable's name first; crun's hook runner has an executable /proc cannot name from here
  // (readlink gives "/"), so its command name (/proc/PID/comm) speaks for it.
  const std::string exe = os::ExecutableOf(parent);
  const size_t slash = exe.rfind('/');
  std::string name = slash == std::string::npos ? exe : exe.substr(slash + 1);
  if (const size_t deleted = name.find(" (deleted)"); deleted != std::string::npos) name.resize(deleted);
  if (!name.empty() && formats::ResolveBaseProfileName(name)) return name;
  const std::string command = os::CommandOf(parent);
  if (formats::ResolveBaseProfileName(command)) return command;
  if (name.empty() && command == "?") {
    return MakeError(ErrorCode::kNotFound, "cannot read the runtime's executable (/proc/" + std::to_string(parent) + "/exe)");
  }
  return name.empty() ? command : name;
}

Result<std::string> BaseForRuntime(const std::string& runtime) {
  if (std::optional<std::string> base = formats::ResolveBaseProfileName(runtime)) return *base;
  return MakeError(ErrorCode::kUnsupported,
                   "the runtime '" + runtime +
                       "' is neither runc nor crun: sysfence does not know what it calls after it installs the "
                       "filter, so a recorded profile could not start the container (--runtime runc|crun names "
                       "one if it is a copy under another name)");
}

Result<record::RecordResult> RecordContainer(const ContainerRecordOptions& options) {
  record::RecordOptions record_options;
  record_options.backend = record::Backend::kEbpf;
  record_options.pid = options.init_pid;
  record_options.count_from_exec = true;
  if (options.follow_cgroup) record_options.cgroup = CgroupToFollow(options.init_pid);
  record_options.stop_signal = options.stop_signal;
  record_options.on_attached = options.on_attached;
  return record::Record(record_options);
}

bool RuntimeAcceptsFilterFlags(const std::string& runtime) {
  return formats::ResolveBaseProfileName(runtime).value_or("").rfind("crun-", 0) == 0;
}

Result<policy::Policy> ContainerPolicy(const profile::Profile& recording, const std::string& base_name,
                                       const std::string& container_id, bool log_denials) {
  policy::Policy policy = record::GeneratePolicy(recording);
  std::string comment = "container " + container_id + ", recorded from before its program started";
  if (!base_name.empty()) {
    Result<policy::Policy> with_base = formats::WithBaseProfile(policy, base_name);
    if (!with_base.ok()) return with_base.error();
    policy = std::move(with_base.value());
    comment += "; with the runtime's base " + base_name +
               " (what the runtime calls after it installs the filter, docs/containers.md)";
  }
  if (log_denials) policy.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  policy.comment = comment;
  return policy;
}

Result<std::string> RenderContainerProfile(const profile::Profile& recording, const policy::Policy& policy,
                                           ProfileFormat format, const std::string& container_id) {
  Diagnostics diagnostics;
  Result<std::string> text = MakeError(ErrorCode::kInternal, "no format");
  switch (format) {
    case ProfileFormat::kSfp: return record::RenderGeneratedPolicy(recording, policy);
    case ProfileFormat::kOciJson: text = formats::ExportOciJson(policy, diagnostics); break;
    case ProfileFormat::kKubernetesYaml:
      text = formats::ExportKubernetesProfile(policy, container_id, formats::KubernetesSyntax::kYaml, diagnostics);
      break;
  }
  if (!text.ok()) return text.error();
  if (diagnostics.HasErrors()) return MakeError(ErrorCode::kUnsupported, FirstError(diagnostics));
  return text;
}

}  // namespace sysfence::container
