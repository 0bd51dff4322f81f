// SPDX-License-Identifier: Apache-2.0
#include "run/launcher.h"

#include <fcntl.h>
#include <unistd.h>

#include "os/spawn.h"

namespace sysfence::run {
namespace {

Error CannotStart(const Error& error) { return MakeError(error.code, "cannot start the program: " + error.message); }

}  // namespace

Result<LaunchedChild> StartChild(const LaunchSpec& spec) {
  os::SpawnSpec spawn;
  spawn.path = spec.path;
  spawn.argv = spec.argv;
  if (spec.namespaces != 0) spawn.steps.push_back(os::SpawnStep::Namespaces(spec.namespaces));
  spawn.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kSignals));
  if (!spec.limits.empty()) spawn.steps.push_back(os::SpawnStep::Rlimits(spec.limits));
  if (spec.keep_capabilities) spawn.steps.push_back(os::SpawnStep::Capabilities(*spec.keep_capabilities));
  spawn.steps.push_back(os::SpawnStep::Of(os::SpawnStepKind::kNoNewPrivs));
  if (spec.before_filter) spawn.steps.push_back(os::SpawnStep::Custom("landlock", spec.before_filter));
  spawn.steps.push_back(os::SpawnStep::Seccomp(spec.filter, spec.want_listener, spec.log_denials));
  Result<os::SpawnedChild> spawned = os::Spawn(spawn);
  if (!spawned.ok()) {
    if (spawned.error().code == ErrorCode::kInvalidInput) return spawned.error();
    return CannotStart(spawned.error());
  }
  auto owned = std::make_shared<os::SpawnedChild>(std::move(spawned).value());
  LaunchedChild child;
  child.pid = owned->pid();
  child.pidfd = fcntl(owned->pidfd(), F_DUPFD_CLOEXEC, 0);
  child.listener_fd = owned->TakeListener().release();
  child.note = owned->note();
  child.handover = std::move(owned);
  return child;
}

Result<void> ReleaseAndAwaitExec(LaunchedChild& child) {
  auto* spawned = static_cast<os::SpawnedChild*>(child.handover.get());
  if (spawned == nullptr) return MakeError(ErrorCode::kInternal, "no child is waiting to exec");
  Result<void> exec = spawned->ReleaseAndAwaitExec();
  if (!exec.ok()) {
    const int exec_errno = spawned->exec_errno();
    if (child.pidfd >= 0) close(child.pidfd);
    if (child.listener_fd >= 0) close(child.listener_fd);
    child = LaunchedChild{};
    child.exec_errno = exec_errno;
    return CannotStart(exec.error());
  }
  spawned->Detach();  // the caller waits for the program now
  child.handover.reset();
  return Ok();
}

}  // namespace sysfence::run
