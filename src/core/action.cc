// SPDX-License-Identifier: Apache-2.0
#include "core/action.h"

#include <array>

#include "core/errno_names.h"

namespace sysfence {
namespace {

struct KindName {
  ActionKind kind;
  std::string_view keyword;
};
constexpr std::array<KindName, 8> kKindNames = {{
    {ActionKind::kAllow, "allow"},
    {ActionKind::kLog, "log"},
    {ActionKind::kErrno, "errno"},
    {ActionKind::kKillProcess, "kill"},
    {ActionKind::kKillThread, "kill-thread"},
    {ActionKind::kTrap, "trap"},
    {ActionKind::kNotify, "notify"},
    {ActionKind::kTrace, "trace"},
}};

std::string ErrnoText(uint16_t err) {
  std::string_view name = ErrnoName(err);
  return name.empty() ? std::to_string(err) : std::string(name);
}

}  // namespace

uint32_t Action::ToSeccompRet() const {
  switch (kind) {
    case ActionKind::kKillProcess: return seccomp_ret::kKillProcess;
    case ActionKind::kKillThread: return seccomp_ret::kKillThread;
    case ActionKind::kTrap: return seccomp_ret::kTrap | data;
    case ActionKind::kErrno: return seccomp_ret::kErrno | data;
    case ActionKind::kNotify: return seccomp_ret::kUserNotif;
    case ActionKind::kTrace: return seccomp_ret::kTrace | data;
    case ActionKind::kLog: return seccomp_ret::kLog;
    case ActionKind::kAllow: return seccomp_ret::kAllow;
  }
  return seccomp_ret::kKillProcess;
}

Action Action::FromSeccompRet(uint32_t ret) {
  const uint16_t data = static_cast<uint16_t>(ret & seccomp_ret::kDataMask);
  switch (ret & seccomp_ret::kActionFullMask) {
    case seccomp_ret::kKillProcess: return KillProcess();
    case seccomp_ret::kKillThread: return KillThread();
    case seccomp_ret::kTrap: return Trap(data);
    // The kernel clamps errno data to MAX_ERRNO.
    case seccomp_ret::kErrno: return Errno(static_cast<uint16_t>(data > kMaxErrno ? kMaxErrno : data));
    case seccomp_ret::kUserNotif: return Notify();
    case seccomp_ret::kTrace: return Trace(data);
    case seccomp_ret::kLog: return Log();
    case seccomp_ret::kAllow: return Allow();
    default: return KillProcess();  // the kernel treats unknown actions as kill-process
  }
}

std::string Action::ToString() const {
  switch (kind) {
    case ActionKind::kErrno: return "errno(" + ErrnoText(data) + ")";
    case ActionKind::kTrap:
    case ActionKind::kTrace:
      if (data != 0) return std::string(ActionKeyword(kind)) + "(" + std::to_string(data) + ")";
      return std::string(ActionKeyword(kind));
    default: return std::string(ActionKeyword(kind));
  }
}

std::string Action::ToPolicyText() const {
  switch (kind) {
    case ActionKind::kErrno: return "errno " + ErrnoText(data);
    case ActionKind::kTrap:
    case ActionKind::kTrace:
      if (data != 0) return std::string(ActionKeyword(kind)) + " " + std::to_string(data);
      return std::string(ActionKeyword(kind));
    default: return std::string(ActionKeyword(kind));
  }
}

std::string_view ActionKeyword(ActionKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.keyword;
  }
  return "kill";
}

std::optional<ActionKind> ActionKindFromKeyword(std::string_view keyword) {
  if (keyword == "kill-process") return ActionKind::kKillProcess;
  for (const KindName& entry : kKindNames) {
    if (entry.keyword == keyword) return entry.kind;
  }
  return std::nullopt;
}

}  // namespace sysfence
