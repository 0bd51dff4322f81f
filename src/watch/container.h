// SPDX-License-Identifier: Apache-2.0
// Which container (or systemd unit) a process belongs to, from the names container runtimes give
// their cgroups. Evidence, not identity: a process that may write cgroup.procs could move itself,
// so events carry it as a label for people, never as a decision.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sysfence::watch {

/// A process's container, as its cgroup path names it.
struct ContainerInfo {
  std::string runtime;  ///< "docker", "containerd", "cri-o", "podman", "systemd" (a plain unit), or ""
  std::string id;       ///< the container id (hex) for runtimes; "" for systemd units
  std::string unit;     ///< the systemd unit of the cgroup ("docker-ID.scope", "nginx.service"), or ""
  std::string pod_uid;  ///< Kubernetes: the pod's uid from a kubepods cgroup, or ""
  std::string cgroup;   ///< the cgroup path the answer comes from

  /// True when a runtime or a unit was recognized.
  bool known() const { return !runtime.empty(); }
  /// A short label: "docker:0123456789ab", "systemd:nginx.service", or "" when unknown.
  std::string Label() const;
};

/// Interprets one cgroup path ("/system.slice/docker-<64 hex>.scope", "/docker/<id>",
/// "/kubepods/burstable/pod<uid>/<id>", ".../cri-containerd-<id>.scope", ".../crio-<id>.scope",
/// ".../libpod-<id>.scope", "/system.slice/nginx.service").
ContainerInfo ContainerFromCgroupPath(std::string_view path);

/// Interprets the text of /proc/PID/cgroup: the unified (v2) line first, then the systemd
/// hierarchy, then any other line that names a container.
ContainerInfo ContainerFromProcCgroup(std::string_view text);

/// Reads /proc/PID/cgroup; nullopt when the process is gone or the file is unreadable.
std::optional<ContainerInfo> ContainerOfProcess(int pid);

}  // namespace sysfence::watch
