// SPDX-License-Identifier: Apache-2.0
// `sysfence watch`: every seccomp and Landlock violation on the machine, from the kernel's audit
// records, as JSON Lines events, Prometheus metrics and alerts.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/global_options.h"
#include "tools/sysfence/value_sets.h"
#include "watch/watcher.h"

namespace sysfence::cli {
namespace {

constexpr const char* kWatchHelp =
    "Watches the whole machine: every seccomp filter decision the kernel logs (type 1326: filters\n"
    "of Docker/runc, systemd, `sysfence run`, `compile` output, any program) and every Landlock\n"
    "denial (types 1423/1424, Landlock ABI 7 with audit enabled) becomes one JSON line: time, pid,\n"
    "comm, exe, uid, ABI, syscall, action, and the container or systemd unit of the process (from\n"
    "its cgroup: docker, containerd, CRI-O, podman, systemd units). Run it as root, as a daemon.\n"
    "\n"
    "Sources: the audit netlink read-log group (coexists with auditd; needs CAP_AUDIT_READ), or,\n"
    "when that is refused or missing, /dev/kmsg (what printk lets through, rate-limited; nothing\n"
    "while auditd runs). --source netlink|kmsg forces one.\n"
    "\n"
    "Nothing is lost silently: socket overflows (ENOBUFS), the kernel's audit lost counter\n"
    "(AUDIT_GET, read every second), kmsg sequence gaps and printk suppression become `lost`\n"
    "lines, a counter in the stop line and the metric sysfence_watch_records_lost_total.\n"
    "\n"
    "Outputs:\n"
    "  --output FILE      JSON Lines, appended (default: standard output); SIGHUP reopens FILE,\n"
    "                     for log rotation\n"
    "  --metrics A:P      Prometheus text exposition at http://A:P/metrics (e.g. 127.0.0.1:9464)\n"
    "  --alert-exec CMD   CMD (via /bin/sh -c) gets each new kind of violation on stdin: one per\n"
    "                     kind per --alert-dedup seconds, rate-limited by --alert-rate/--alert-burst\n"
    "\n"
    "Kernel knobs (machine-wide): --audit-enable turns audit on while watching (Landlock logs only\n"
    "then) and back off at exit; --audit-backlog-limit N and --audit-rate-limit N set the kernel's\n"
    "queue and rate (kept after exit). docs/watch.md explains what raises the loss-free rate.\n"
    "\n"
    "Status: SIGUSR1 prints one line to stderr (time watched, records, violations, events written,\n"
    "records lost); --progress prints it every --progress-interval seconds (default 60). -q drops\n"
    "the notes, the metrics line and the status lines.\n"
    "\n"
    "Exit status: 0 after SIGTERM/SIGINT; 2 bad options; 3 the environment refused (no audit\n"
    "support and no /dev/kmsg, not root, another watcher holds --lock-file, the metrics port is in\n"
    "use, the output cannot be opened). Nothing is written when it refuses to start.\n"
    "\n"
    "Example:\n"
    "  # sysfence watch --output /var/log/sysfence/violations.jsonl --metrics 127.0.0.1:9464 &\n"
    "  # docker run --rm --security-opt seccomp=web.json web-image ...\n"
    "  # jq -c 'select(.type == \"syscall\") | [.comm, .syscall, .action, .container.id]' \\\n"
    "        /var/log/sysfence/violations.jsonl\n"
    "\n"
    "Reference, threat model and the event schema: docs/watch.md, docs/events.md.";

struct WatchFlags {
  std::string source = "auto";
  std::string output = "-";
  std::string metrics;
  std::string alert_command;
  double alert_rate = 5;
  double alert_burst = 20;
  double alert_dedup_s = 60;
  std::string lock_file = "/run/sysfence-watch.lock";
  bool audit_enable = false;
  int64_t backlog_limit = -1;
  int64_t rate_limit = -1;
  int64_t receive_buffer = 0;
  double duration_s = 0;
  size_t max_series = 1000;
  bool progress = false;
  double progress_interval_s = 60;
};

// One status line: what this watch has seen so far.
void PrintStatus(const watch::WatchTotals& totals, double seconds) {
  std::fprintf(stderr,
               "sysfence: status: watching for %.1f s: %llu records, %llu violations, %llu events written, %llu lost\n",
               seconds, static_cast<unsigned long long>(totals.records),
               static_cast<unsigned long long>(totals.violations),
               static_cast<unsigned long long>(totals.events_written), static_cast<unsigned long long>(totals.lost));
}

int WatchCommand(const WatchFlags& flags) {
  watch::WatchOptions options;
  if (flags.source == "auto") {
    options.source = watch::RecordSource::kAuto;
  } else if (flags.source == "netlink") {
    options.source = watch::RecordSource::kNetlink;
  } else if (flags.source == "kmsg") {
    options.source = watch::RecordSource::kKmsg;
  } else {
    std::fprintf(stderr, "sysfence: error: --source must be auto, netlink or kmsg, not '%s'\n", flags.source.c_str());
    return kExitBadInput;
  }
  if (!(flags.alert_rate > 0) || !(flags.alert_burst >= 1) || !(flags.alert_dedup_s >= 0) || !(flags.duration_s >= 0)) {
    std::fprintf(stderr, "sysfence: error: --alert-rate must be > 0, --alert-burst >= 1, --alert-dedup and "
                         "--duration >= 0\n");
    return kExitBadInput;
  }
  if (flags.backlog_limit > 0xffffffffLL || flags.rate_limit > 0xffffffffLL || flags.receive_buffer < 0 ||
      flags.receive_buffer > (1LL << 30) || flags.max_series < 1) {
    std::fprintf(stderr, "sysfence: error: --audit-backlog-limit/--audit-rate-limit must fit 32 bits, "
                         "--receive-buffer be 0..1 GiB and --max-series at least 1\n");
    return kExitBadInput;
  }
  options.output_path = flags.output;
  options.metrics_address = flags.metrics;
  options.alert_command = flags.alert_command;
  options.alert_tuning.rate_per_second = flags.alert_rate;
  options.alert_tuning.burst = flags.alert_burst;
  options.alert_dedup_ms = static_cast<int64_t>(flags.alert_dedup_s * 1000);
  options.lock_path = flags.lock_file;
  options.audit_enable = flags.audit_enable;
  if (flags.backlog_limit >= 0) options.audit_backlog_limit = static_cast<uint32_t>(flags.backlog_limit);
  if (flags.rate_limit >= 0) options.audit_rate_limit = static_cast<uint32_t>(flags.rate_limit);
  options.receive_buffer_bytes = static_cast<int>(flags.receive_buffer);
  options.max_runtime_ms = static_cast<int64_t>(flags.duration_s * 1000);
  options.max_series = flags.max_series;
  if (flags.progress && !(flags.progress_interval_s > 0)) {
    std::fprintf(stderr, "sysfence: error: --progress-interval must be > 0 seconds\n");
    return kExitBadInput;
  }
  if (!Quiet()) {
    options.on_status = PrintStatus;  // on SIGUSR1, and with --progress every interval
    if (flags.progress) options.progress_interval_ms = static_cast<int64_t>(flags.progress_interval_s * 1000);
  }

  std::vector<std::string> notes;
  Result<std::unique_ptr<watch::Watcher>> watcher = watch::Watcher::Open(options, &notes);
  if (!Quiet()) {
    for (const std::string& note : notes) std::fprintf(stderr, "sysfence: note: %s\n", note.c_str());
  }
  if (!watcher.ok()) return ReportError(watcher.error());
  if ((*watcher)->metrics_port() != 0 && !Quiet()) {
    std::fprintf(stderr, "sysfence: metrics at http://%s/metrics (port %u)\n", (*watcher)->metrics_address().c_str(),
                 static_cast<unsigned>((*watcher)->metrics_port()));
  }
  Result<watch::WatchTotals> totals = (*watcher)->Run();
  if (!totals.ok()) return ReportError(totals.error());
  return kExitOk;
}

const CommandRegistration kRegistration(45, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand(
      "watch", "Report every seccomp and Landlock violation on the machine (audit records -> events, metrics, alerts)");
  sub->footer(kWatchHelp);
  auto flags = std::make_shared<WatchFlags>();
  sub->add_option("--output,-o", flags->output, "JSON Lines output, appended; - for stdout (default); SIGHUP reopens it");
  sub->add_option("--metrics", flags->metrics, "Serve Prometheus metrics at ADDR:PORT (/metrics)");
  OneOf(sub->add_option("--source", flags->source, "auto (default: netlink, else /dev/kmsg), netlink or kmsg"),
        {"auto", "netlink", "kmsg"});
  sub->add_option("--alert-exec", flags->alert_command, "Run CMD (via /bin/sh -c) with a violation's JSON on stdin");
  sub->add_option("--alert-rate", flags->alert_rate, "Alerts per second (default 5); more are dropped and counted");
  sub->add_option("--alert-burst", flags->alert_burst, "Alerts allowed at once (default 20)");
  sub->add_option("--alert-dedup", flags->alert_dedup_s,
                  "Seconds during which the same kind of violation alerts once (default 60; 0 = every one)");
  sub->add_option("--lock-file", flags->lock_file, "One watcher per lock file (default /run/sysfence-watch.lock)");
  sub->add_flag("--audit-enable", flags->audit_enable,
                "Turn kernel audit on while watching (Landlock logs denials only then); restored at exit");
  sub->add_option("--audit-backlog-limit", flags->backlog_limit, "Set the kernel's audit backlog limit (machine-wide)");
  sub->add_option("--audit-rate-limit", flags->rate_limit, "Set the kernel's audit rate limit, 0 = none (machine-wide)");
  sub->add_option("--receive-buffer", flags->receive_buffer, "Netlink receive buffer in bytes (default 64 MiB)");
  sub->add_option("--max-series", flags->max_series, "Label sets of the violation metric before folding (default 1000)");
  sub->add_option("--duration", flags->duration_s, "Stop after this many seconds (default: run until SIGTERM)");
  sub->add_flag("--progress", flags->progress, "Print a status line every --progress-interval seconds (and on SIGUSR1)");
  sub->add_option("--progress-interval", flags->progress_interval_s, "Seconds between --progress lines (default 60)");
  sub->callback([flags, exit_status] { *exit_status = WatchCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
