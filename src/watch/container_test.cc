// SPDX-License-Identifier: Apache-2.0
#include "watch/container.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace sysfence::watch {
namespace {

constexpr const char* kId = "3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

TEST(ContainerTest, SystemdDriverScopesOfEachRuntime) {
  const struct {
    std::string path;
    const char* runtime;
  } cases[] = {
      {std::string("/system.slice/docker-") + kId + ".scope", "docker"},
      {std::string("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789"
                   ".slice/cri-containerd-") + kId + ".scope", "containerd"},
      {std::string("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789"
                   ".slice/crio-") + kId + ".scope", "cri-o"},
      {std::string("/machine.slice/libpod-") + kId + ".scope/container", "podman"},
  };
  for (const auto& c : cases) {
    const ContainerInfo info = ContainerFromCgroupPath(c.path);
    EXPECT_EQ(info.runtime, c.runtime) << c.path;
    EXPECT_EQ(info.id, kId) << c.path;
  }
  const ContainerInfo pod = ContainerFromCgroupPath(cases[1].path);
  EXPECT_EQ(pod.pod_uid, "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  EXPECT_EQ(pod.Label(), "containerd:3f4e1b2a9c8d");
}

TEST(ContainerTest, CgroupfsDriverPaths) {
  EXPECT_EQ(ContainerFromCgroupPath(std::string("/docker/") + kId).runtime, "docker");
  EXPECT_EQ(ContainerFromCgroupPath(std::string("/libpod_parent/libpod-") + kId).runtime, "podman");
  const ContainerInfo kube =
      ContainerFromCgroupPath(std::string("/kubepods/burstable/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/") + kId);
  EXPECT_EQ(kube.runtime, "containerd");
  EXPECT_EQ(kube.pod_uid, "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
}

TEST(ContainerTest, CrioMonitorIsNotTheContainer) {
  const ContainerInfo conmon = ContainerFromCgroupPath(std::string("/machine.slice/crio-conmon-") + kId + ".scope");
  EXPECT_EQ(conmon.runtime, "systemd");
  EXPECT_EQ(conmon.id, "");
}

TEST(ContainerTest, SystemdUnitsAndNothing) {
  const ContainerInfo unit = ContainerFromCgroupPath("/system.slice/nginx.service");
  EXPECT_EQ(unit.runtime, "systemd");
  EXPECT_EQ(unit.unit, "nginx.service");
  EXPECT_EQ(unit.Label(), "systemd:nginx.service");
  EXPECT_EQ(ContainerFromCgroupPath("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service").unit,
            "foo.service");
  EXPECT_FALSE(ContainerFromCgroupPath("/").known());
  EXPECT_FALSE(ContainerFromCgroupPath("/system.slice/docker-short.scope").id.size() > 0);
  EXPECT_FALSE(ContainerFromCgroupPath("/docker/NOTHEX").known());
}

TEST(ContainerTest, ProcCgroupPrefersAContainerOverAUnit) {
  // cgroup v1 + v2 hybrid: the unified line names only the unit, a v1 line the container.
  const std::string text = std::string("12:memory:/docker/") + kId + "\n1:name=systemd:/system.slice/docker.service\n0::/\n";
  const ContainerInfo info = ContainerFromProcCgroup(text);
  EXPECT_EQ(info.runtime, "docker");
  EXPECT_EQ(info.id, kId);
  EXPECT_EQ(ContainerFromProcCgroup("0::/system.slice/cron.service\n").unit, "cron.service");
  EXPECT_FALSE(ContainerFromProcCgroup("0::/\n").known());
  EXPECT_FALSE(ContainerFromProcCgroup("garbage\n::\n").known());
}

TEST(ContainerTest, ReadsAProcessThatExistsAndNotOneThatDoesNot) {
  EXPECT_TRUE(ContainerOfProcess(getpid()).has_value());
  EXPECT_FALSE(ContainerOfProcess(0).has_value());
  EXPECT_FALSE(ContainerOfProcess(1 << 30).has_value());
}

}  // namespace
}  // namespace sysfence::watch
