// SPDX-License-Identifier: Apache-2.0
// `sysfence oci-hook`: an OCI runtime hook (prestart or createRuntime) that records a whole
// container when its config carries the annotation org.sysfence.record=/absolute/path, and writes
// the profile there when the container has exited (.sfp, .json, .yaml by extension).
#include <signal.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "container/container_record.h"
#include "container/oci_state.h"
#include "os/detach.h"
#include "profile/profile.h"
#include "record/backends.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kHookHelp =
    "An OCI runtime hook. The runtime (runc, crun; podman and CRI-O through hooks.d) runs it with\n"
    "the container's state as JSON on standard input. When the container's annotations (the state's,\n"
    "then its bundle's config.json) carry org.sysfence.record with an absolute path as value, the hook\n"
    "starts a recorder that follows every process of the container (its init, everything that\n"
    "descends from it, everything that enters its cgroup) with the ebpf backend, counted from the\n"
    "program's execve on, and returns as soon as the recorder is attached. When the container has\n"
    "exited, the recorder writes the profile to that path, chosen by extension:\n"
    "  .sfp          sysfence policy (with the evidence of each rule)\n"
    "  .json         OCI/Docker seccomp profile (linux.seccomp, docker --security-opt seccomp=)\n"
    "  .yaml, .yml   Kubernetes SeccompProfile (Security Profiles Operator)\n"
    "The runtime's own calls after it installs the filter come from its bundled base profile\n"
    "(runc-v1.1.x, crun-v1.8.x), chosen by the runtime that runs the hook (--runtime overrides), so\n"
    "the profile starts the same container. Without the annotation the hook does nothing.\n"
    "Where the runtime applies seccomp filter flags (crun; runc 1.1 refuses them) the .json and\n"
    ".yaml profiles carry SECCOMP_FILTER_FLAG_LOG: the kernel then logs every refusal and\n"
    "`sysfence watch` reports it with the container (--log-denials yes|no decides instead).\n"
    "\n"
    "Register it at prestart or createRuntime: the container's program must not have started\n"
    "(state status 'creating' or 'created'). A hook that cannot record fails the container's start\n"
    "with a message: bad state JSON, a relative path or unknown extension, a missing or unwritable\n"
    "folder, a runtime sysfence does not know, no eBPF. Messages of the recorder after the hook\n"
    "returned go to --log FILE, else to syslog (daemon facility). A container whose program never\n"
    "ran, or whose recorder was stopped (SIGTERM, SIGINT) before it exited, leaves no profile; a\n"
    "profile is written whole (renamed into place) or not at all.\n"
    "\n"
    "Exit status: 0 recording (or nothing asked); 2 bad input (state, annotation, runtime, stage):\n"
    "nothing started; 3 the recorder could not attach (no root, no eBPF).\n"
    "\n"
    "Example (runc config.json):\n"
    "  \"annotations\": {\"org.sysfence.record\": \"/var/lib/profiles/web.json\"},\n"
    "  \"hooks\": {\"prestart\": [{\"path\": \"/usr/bin/sysfence\", \"args\": [\"sysfence\", \"oci-hook\"]}]}\n"
    "packaging/oci-hooks.d/sysfence-record.json wires it into podman and CRI-O; docs/containers.md\n"
    "has the details and the threat model.";

struct HookFlags {
  std::string runtime;  ///< --runtime: runc or crun instead of the parent's executable name
  std::string log_path;
  bool no_cgroup = false;
  std::string log_denials = "auto";  ///< auto (when the runtime accepts filter flags), yes, no
};

std::atomic<int> g_hook_stop{0};

void OnHookStop(int signal) { g_hook_stop.store(signal); }

// The detached recorder's messages: appended to --log, else syslog (it has no terminal).
class RecorderLog {
 public:
  explicit RecorderLog(const std::string& path) : path_(path) {
    if (path_.empty()) openlog("sysfence-oci-hook", LOG_PID, LOG_DAEMON);
  }
  void Say(int priority, const std::string& message) const {
    if (path_.empty()) {
      syslog(priority, "%s", message.c_str());
      return;
    }
    if (FILE* file = std::fopen(path_.c_str(), "ae")) {
      std::fprintf(file, "sysfence oci-hook[%d]: %s\n", getpid(), message.c_str());
      std::fclose(file);
    }
  }

 private:
  std::string path_;
};

double SecondsSince(const timespec& start) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - start.tv_sec) + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

// The detached recorder: records until the container has gone, then writes the profile.
int RecordAndWrite(const container::ContainerState& state, const container::RecordRequest& request,
                   const std::string& base, bool log_denials, const HookFlags& flags,
                   os::DetachedReporter& reporter) {
  struct sigaction action {};
  action.sa_handler = OnHookStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  const RecorderLog log(flags.log_path);
  container::ContainerRecordOptions options;
  options.init_pid = state.pid;
  options.follow_cgroup = !flags.no_cgroup;
  options.stop_signal = &g_hook_stop;
  options.on_attached = [&reporter] { reporter.Ready(); };
  auto recorded = container::RecordContainer(options);
  if (!recorded.ok()) {
    reporter.Fail(recorded.error().code, recorded.error().message);  // ignored once Ready was sent
    log.Say(LOG_ERR, "container " + state.id + ": recording failed: " + recorded.error().message);
    return kExitFailure;
  }
  if (const int signal = g_hook_stop.load(); signal != 0) {
    // Stopped before the container ended: what was recorded is part of its work, never a profile.
    log.Say(LOG_WARNING, "container " + state.id + ": recording stopped by signal " + std::to_string(signal) +
                             " before the container exited; no profile written to " + request.output);
    return kExitFindings;
  }
  timespec ended{};
  clock_gettime(CLOCK_MONOTONIC, &ended);
  profile::Profile& recording = recorded.value().profile;
  recording.command = request.process_args;  // the header names the container's program
  if (profile::TotalCalls(recording) == 0) {
    log.Say(LOG_WARNING, "container " + state.id + ": its program never ran; no profile written to " + request.output);
    return kExitFindings;
  }
  auto policy = container::ContainerPolicy(recording, base, state.id, log_denials);
  if (!policy.ok()) {
    log.Say(LOG_ERR, "container " + state.id + ": " + policy.error().message);
    return kExitFailure;
  }
  auto text = container::RenderContainerProfile(recording, policy.value(), request.format, state.id);
  if (!text.ok()) {
    log.Say(LOG_ERR, "container " + state.id + ": cannot write " + request.output + ": " + text.error().message);
    return kExitFailure;
  }
  if (auto written = WriteOutputFile(request.output, text.value()); !written.ok()) {
    log.Say(LOG_ERR, "container " + state.id + ": " + written.error().message);
    return kExitFailure;
  }
  log.Say(LOG_INFO, "container " + state.id + ": profile written to " + request.output + " (" +
                        std::to_string(profile::TotalCalls(recording)) + " calls recorded, " +
                        std::to_string(static_cast<int>(SecondsSince(ended) * 1000)) +
                        " ms after the recording ended)");
  return kExitOk;
}

int HookCommand(const HookFlags& flags) {
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto state = container::ParseOciState(input);
  if (!state.ok()) return BadInput(state.error().message);
  auto request = container::ReadRecordRequest(state.value());
  if (!request.ok()) return BadInput(request.error().message);
  if (!request.value()) return kExitOk;  // the container did not ask to be recorded
  if (auto recordable = container::CheckRecordableState(state.value()); !recordable.ok()) {
    return BadInput(recordable.error().message);
  }
  std::string runtime = flags.runtime;
  if (runtime.empty()) {
    auto parent = container::RuntimeOfParent(getppid());
    if (!parent.ok()) return BadInput(parent.error().message);
    runtime = parent.value();
  }
  auto base = container::BaseForRuntime(runtime);
  if (!base.ok()) return BadInput(base.error().message);
  if (flags.log_denials != "auto" && flags.log_denials != "yes" && flags.log_denials != "no") {
    return BadInput("--log-denials: '" + flags.log_denials + "' is none of auto, yes, no");
  }
  const bool log_denials =
      flags.log_denials == "yes" || (flags.log_denials == "auto" && container::RuntimeAcceptsFilterFlags(runtime));
  if (auto usable = record::EbpfUsable(); !usable.ok()) {
    std::fprintf(stderr, "sysfence: error: cannot record container %s: %s\n", state.value().id.c_str(),
                 usable.error().message.c_str());
    return kExitFailure;
  }
  const container::RecordRequest& wanted = *request.value();
  auto detached = os::RunDetached([&](os::DetachedReporter& reporter) {
    return RecordAndWrite(state.value(), wanted, base.value(), log_denials, flags, reporter);
  });
  if (!detached.ok()) {
    std::fprintf(stderr, "sysfence: error: cannot record container %s: %s\n", state.value().id.c_str(),
                 detached.error().message.c_str());
    return detached.error().code == ErrorCode::kInvalidInput || detached.error().code == ErrorCode::kNotFound
               ? kExitBadInput
               : kExitFailure;
  }
  return kExitOk;
}

const CommandRegistration kRegistration(25, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("oci-hook", "OCI runtime hook: record a container annotated org.sysfence.record");
  sub->footer(kHookHelp);
  auto flags = std::make_shared<HookFlags>();
  sub->add_option("--runtime", flags->runtime,
                  "The runtime's name for its base profile (runc, crun; default: the hook's parent executable)");
  sub->add_option("--log", flags->log_path, "Append the recorder's messages to FILE (default: syslog)");
  OneOf(sub->add_option("--log-denials", flags->log_denials,
                        "auto (default: when the runtime applies filter flags: crun, not runc 1.1), yes or no: the "
                        "profile asks the kernel to log every refusal (SECCOMP_FILTER_FLAG_LOG)"),
        {"auto", "yes", "no"});
  sub->add_flag("--no-cgroup", flags->no_cgroup,
                "Follow only the init's process tree, not processes that enter the container's cgroup");
  sub->callback([flags, exit_status] { *exit_status = HookCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
