// SPDX-License-Identifier: Apache-2.0
#include "watch/container.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace sysfence::watch {
namespace {

bool IsHexId(std::string_view text) {
  if (text.size() < 12 || text.size() > 128) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::vector<std::string_view> PathComponents(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// "docker-<id>.scope" -> <id> when `component` is PREFIX<hex id>.scope.
std::optional<std::string_view> ScopeId(std::string_view component, std::string_view prefix) {
  constexpr std::string_view kScope = ".scope";
  if (!component.starts_with(prefix) || !component.ends_with(kScope)) return std::nullopt;
  std::string_view id = component.substr(prefix.size(), component.size() - prefix.size() - kScope.size());
  if (!IsHexId(id)) return std::nullopt;
  return id;
}

struct ScopePrefix {
  std::string_view prefix;
  std::string_view runtime;
};
// systemd cgroup driver names: one scope per container.
constexpr ScopePrefix kScopePrefixes[] = {
    {"docker-", "docker"}, {"cri-containerd-", "containerd"}, {"crio-", "cri-o"}, {"libpod-", "podman"}};

// "kubepods-burstable-pod1234_5678.slice" or "pod1234-5678" -> "1234-5678".
std::string PodUid(std::string_view component) {
  const size_t at = component.rfind("pod");
  if (at == std::string_view::npos) return {};
  std::string_view rest = component.substr(at + 3);
  if (rest.ends_with(".slice")) rest.remove_suffix(6);
  if (rest.size() < 32 || rest.size() > 40) return {};
  std::string uid(rest);
  for (char& c : uid) {
    if (c == '_') c = '-';
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return {};
  }
  return uid;
}

}  // namespace

std::string ContainerInfo::Label() const {
  if (runtime.empty()) return {};
  if (!id.empty()) return runtime + ":" + id.substr(0, 12);
  return runtime + ":" + unit;
}

ContainerInfo ContainerFromCgroupPath(std::string_view path) {
  ContainerInfo info;
  info.cgroup = std::string(path);
  const std::vector<std::string_view> parts = PathComponents(path);
  bool kubernetes = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part.starts_with("kubepods")) kubernetes = true;
    if (kubernetes && info.pod_uid.empty()) info.pod_uid = PodUid(part);
    // "crio-conmon-<id>.scope" is CRI-O's monitor process, not the container.
    if (part.starts_with("crio-conmon-")) continue;
    for (const ScopePrefix& scope : kScopePrefixes) {
      if (auto id = ScopeId(part, scope.prefix)) {
        info.runtime = std::string(scope.runtime);
        info.id = std::string(*id);
        info.unit = std::string(part);
        return info;
      }
    }
    // cgroupfs driver: /docker/<id>, /libpod_parent/libpod-<id>, /kubepods/.../pod<uid>/<id>.
    if (i > 0 && IsHexId(part)) {
      const std::string_view parent = parts[i - 1];
      if (parent == "docker") info.runtime = "docker";
      if (kubernetes && parent.find("pod") != std::string_view::npos) info.runtime = "containerd";
      if (!info.runtime.empty()) {
        info.id = std::string(part);
        return info;
      }
    }
    if (part.starts_with("libpod-") && IsHexId(part.substr(7))) {  // podman's cgroupfs driver
      info.runtime = "podman";
      info.id = std::string(part.substr(7));
      return info;
    }
  }
  // No runtime: the innermost systemd unit (a service, or a scope such as a login session).
  for (size_t i = parts.size(); i-- > 0;) {
    const std::string_view part = parts[i];
    if (part.ends_with(".service") || part.ends_with(".scope")) {
      info.runtime = "systemd";
      info.unit = std::string(part);
      return info;
    }
  }
  return info;
}

ContainerInfo ContainerFromProcCgroup(std::string_view text) {
  std::string_view unified;
  std::string_view systemd;
  std::vector<std::string_view> others;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    // "ID:CONTROLLERS:PATH"; the path may itself contain ':'.
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      unified = path;
    } else if (controllers == "name=systemd") {
      systemd = path;
    } else {
      others.push_back(path);
    }
  }
  for (std::string_view path : {unified, systemd}) {
    if (path.empty() || path == "/") continue;
    ContainerInfo info = ContainerFromCgroupPath(path);
    if (info.known() && info.runtime != "systemd") return info;
  }
  for (std::string_view path : others) {
    ContainerInfo info = ContainerFromCgroupPath(path);
    if (info.known() && info.runtime != "systemd") return info;
  }
  for (std::string_view path : {unified, systemd}) {
    if (path.empty() || path == "/") continue;
    ContainerInfo info = ContainerFromCgroupPath(path);
    if (info.known()) return info;
  }
  ContainerInfo none;
  none.cgroup = std::string(!unified.empty() ? unified : systemd);
  return none;
}

std::optional<ContainerInfo> ContainerOfProcess(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream file("/proc/" + std::to_string(pid) + "/cgroup");
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  if (text.str().empty()) return std::nullopt;
  return ContainerFromProcCgroup(text.str());
}

}  // namespace sysfence::watch
