// SPDX-License-Identifier: Apache-2.0
// audit_record_fuzz: arbitrary bytes as a stream of kernel audit records (and kernel log lines) to
// every parser `sysfence watch` runs on them: the record assembler (seccomp 1326, Landlock
// 1423/1424, SYSCALL 1300, EOE 1320, including run's seccomp parser), the /dev/kmsg line parser
// and the cgroup-to-container parser. Every violation produced must render as one valid JSON line
// and as bounded metric labels. Input format: lines "TYPE TEXT" (TYPE a decimal record type); a
// line that does not start with a number is fed as a /dev/kmsg record and as /proc/PID/cgroup text.
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "watch/container.h"
#include "watch/kmsg_line.h"
#include "watch/metrics.h"
#include "watch/record_assembler.h"

namespace {

using sysfence::watch::Violation;

void Check(const Violation& violation, sysfence::watch::WatchMetrics& metrics) {
  std::string line;
  sysfence::watch::AppendViolationJson(line, violation);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) std::abort();
  metrics.CountViolation(violation);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sysfence::watch::RecordAssembler assembler;
  sysfence::watch::WatchMetrics metrics(8);
  const auto sink = [&metrics](Violation& violation) { Check(violation, metrics); };
  int64_t now_ms = 0;
  while (!input.empty()) {
    const size_t newline = input.find('\n');
    const std::string_view line = input.substr(0, newline);
    input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
    uint16_t type = 0;
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), type);
    if (error == std::errc() && end < line.data() + line.size() && *end == ' ') {
      assembler.Add(type, line.substr(static_cast<size_t>(end - line.data()) + 1), now_ms, sink);
    } else {
      if (const auto kmsg = sysfence::watch::ParseKmsgLine(line)) {
        (void)sysfence::watch::SuppressedAuditMessages(kmsg->message);
        if (const auto record = sysfence::watch::AuditRecordInKmsg(kmsg->message)) {
          assembler.Add(record->type, record->text, now_ms, sink);
        }
      }
      const sysfence::watch::ContainerInfo container = sysfence::watch::ContainerFromProcCgroup(line);
      if (container.known() && container.Label().empty()) std::abort();
    }
    now_ms += 100;
    assembler.Expire(now_ms, sink);
  }
  assembler.Expire(now_ms, sink, true);
  if (assembler.pending() != 0 || metrics.series() > 8 + 4 * 64) std::abort();
  (void)metrics.Render();
  return 0;
}
