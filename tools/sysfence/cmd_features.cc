// SPDX-License-Identifier: Apache-2.0
// `sysfence features`: what this kernel offers for seccomp, Landlock and recording.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/action.h"
#include "os/features.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

constexpr const char* kFeaturesHelp =
    "Probes the running kernel and prints what sysfence can use: seccomp filter support and its\n"
    "flags (TSYNC, LOG, NEW_LISTENER, WAIT_KILLABLE_RECV, ...), the available actions, the\n"
    "user-notification structure sizes and FD_SYNC_WAKE_UP, the Landlock ABI, whether filters of\n"
    "running processes can be read (PTRACE_SECCOMP_GET_FILTER: root), user namespaces, and what\n"
    "the eBPF recorder needs (tracefs raw_syscalls, BTF). Probes that must install a filter run in\n"
    "a short-lived child; nothing changes for the caller.\n"
    "\n"
    "Examples:\n"
    "  sysfence features\n"
    "  sysfence features --json | jq .landlock_abi";

const char* YesNo(bool value) { return value ? "yes" : "no"; }

nlohmann::ordered_json ToJson(const os::Features& features) {
  nlohmann::ordered_json out;
  out["kernel"] = features.kernel_release;
  out["seccomp"] = features.seccomp;
  out["seccomp_filter"] = features.seccomp_filter;
  out["current_seccomp_mode"] = features.current_seccomp_mode;
  nlohmann::ordered_json actions = nlohmann::ordered_json::object();
  for (const os::ActionSupport& action : features.actions) {
    actions[std::string(ActionKeyword(action.kind))] = action.available;
  }
  out["actions"] = actions;
  nlohmann::ordered_json flags = nlohmann::ordered_json::object();
  for (const os::FilterFlagSupport& flag : features.filter_flags) flags[flag.name] = flag.supported;
  out["filter_flags"] = flags;
  if (features.notif_sizes) {
    out["notif_sizes"] = {{"seccomp_notif", features.notif_sizes->notif},
                          {"seccomp_notif_resp", features.notif_sizes->response},
                          {"seccomp_data", features.notif_sizes->data}};
  } else {
    out["notif_sizes"] = nullptr;
  }
  out["notif_fd_sync_wake_up"] = features.notif_fd_sync_wake_up;
  out["landlock_abi"] = features.landlock_abi;
  if (features.landlock_abi == 0) out["landlock_unavailable_reason"] = features.landlock_unavailable_reason;
  out["ptrace_seccomp_get_filter"] = features.ptrace_seccomp_get_filter;
  if (!features.ptrace_seccomp_get_filter) {
    out["ptrace_seccomp_get_filter_reason"] = features.ptrace_seccomp_get_filter_reason;
  }
  out["user_namespaces"] = features.user_namespaces;
  out["tracefs"] = features.tracefs;
  out["btf"] = features.btf;
  return out;
}

void PrintTable(const os::Features& features) {
  std::printf("%-28s %s\n", "kernel", features.kernel_release.c_str());
  std::printf("%-28s %s\n", "seccomp filters", YesNo(features.seccomp_filter));
  std::printf("%-28s %d\n", "this process's seccomp mode", features.current_seccomp_mode);
  std::string actions;
  for (const os::ActionSupport& action : features.actions) {
    actions += std::string(ActionKeyword(action.kind)) + (action.available ? "" : "(no)") + " ";
  }
  std::printf("%-28s %s\n", "actions", actions.c_str());
  std::string flags;
  for (const os::FilterFlagSupport& flag : features.filter_flags) {
    flags += flag.name + (flag.supported ? "" : "(no)") + " ";
  }
  std::printf("%-28s %s\n", "filter flags", flags.c_str());
  if (features.notif_sizes) {
    std::printf("%-28s notif %u, resp %u, data %u bytes\n", "notification sizes", features.notif_sizes->notif,
                features.notif_sizes->response, features.notif_sizes->data);
  } else {
    std::printf("%-28s %s\n", "notification sizes", "unavailable");
  }
  std::printf("%-28s %s\n", "notify FD_SYNC_WAKE_UP", YesNo(features.notif_fd_sync_wake_up));
  if (features.landlock_abi > 0) {
    std::printf("%-28s %d\n", "landlock ABI", features.landlock_abi);
  } else {
    std::printf("%-28s none (%s)\n", "landlock ABI", features.landlock_unavailable_reason.c_str());
  }
  std::printf("%-28s %s%s%s\n", "read filters of processes", YesNo(features.ptrace_seccomp_get_filter),
              features.ptrace_seccomp_get_filter ? "" : ": ",
              features.ptrace_seccomp_get_filter ? "" : features.ptrace_seccomp_get_filter_reason.c_str());
  std::printf("%-28s %s\n", "user namespaces", YesNo(features.user_namespaces));
  std::printf("%-28s %s\n", "tracefs raw_syscalls", YesNo(features.tracefs));
  std::printf("%-28s %s\n", "BTF (/sys/kernel/btf/vmlinux)", YesNo(features.btf));
}

const CommandRegistration kRegistration(90, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("features", "Show what this kernel offers (seccomp, Landlock, recording)");
  sub->footer(kFeaturesHelp);
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "One JSON object instead of the table");
  sub->callback([json, exit_status] {
    const os::Features features = os::ProbeFeatures();
    if (*json) {
      std::printf("%s\n", ToJson(features).dump(2).c_str());
    } else {
      PrintTable(features);
    }
    *exit_status = features.seccomp_filter ? kExitOk : kExitFailure;
  });
});

}  // namespace
}  // namespace sysfence::cli
