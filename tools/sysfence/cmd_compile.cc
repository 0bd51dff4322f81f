// SPDX-License-Identifier: Apache-2.0
// `sysfence compile`: a policy (.sfp or OCI/Docker/Kubernetes JSON) -> a seccomp-BPF program, its
// disassembly or a C header, or the policy in another format (OCI JSON, an OCI config.json fragment,
// SeccompProfile, a systemd drop-in).
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "inspect/disassembler.h"
#include "bpf/raw_file.h"
#include "codegen/compile.h"
#include "inspect/stats.h"
#include "core/arch.h"
#include "core/suggest.h"
#include "formats/c_header.h"
#include "formats/kubernetes.h"
#include "formats/load.h"
#include "formats/oci_config.h"
#include "formats/oci_export.h"
#include "formats/systemd.h"
#include "profile/profile.h"
#include "profile/profile_json.h"
#include "syscalls/syscalls.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"
#include "tools/sysfence/value_sets.h"

namespace sysfence::cli {
namespace {

constexpr const char* kCompileHelp =
    "Loads a policy, written in the sysfence language (.sfp) or as an OCI/Docker seccomp profile,\n"
    "an OCI runtime config.json or a Kubernetes SeccompProfile (YAML or JSON; a List or several\n"
    "YAML documents: the one SeccompProfile in it, or FILE#NAME), and writes it as:\n"
    "\n"
    "  --format bpf      the raw seccomp-BPF program (struct sock_filter[]), the default\n"
    "  --format disasm   the program's disassembly\n"
    "  --format c        a C header with a struct sock_filter array and a struct sock_fprog\n"
    "  --format json     an OCI/Docker seccomp profile (exact: runc decides what the policy does)\n"
    "  --format k8s      a Kubernetes SeccompProfile in YAML (k8s-json: in JSON), apiVersion\n"
    "                    security-profiles-operator.x-k8s.io/v1 (--k8s-version v1beta1 for older\n"
    "                    operators); docs/kubernetes.md is the fleet path\n"
    "  --format systemd  a systemd hardening drop-in (SystemCallFilter=, RestrictAddressFamilies=,\n"
    "                    ReadOnlyPaths=, CapabilityBoundingSet=, PrivateNetwork=, LimitNOFILE=,\n"
    "                    ...); never refused: what systemd cannot say exactly is\n"
    "                    widened, with a warning on stderr and in the file\n"
    "  --format oci-config  an OCI runtime config.json fragment: process.capabilities (caps keep),\n"
    "                    process.rlimits (rlimit), linux.namespaces (unshare), linux.seccomp\n"
    "\n"
    "--unit NAME (with --format systemd) writes the drop-in as NAME.service.d/sysfence.conf in the\n"
    "folder -o names (default: the current folder), creating NAME.service.d; copy it to\n"
    "/etc/systemd/system/ and run `systemctl daemon-reload`.\n"
    "\n"
    "--arch replaces the policy's ABIs (the first one is also the host for Docker's archMap and\n"
    "includes/excludes.arches). --caps chooses the capability-dependent rules of a Docker profile,\n"
    "--kernel the kernel release its minKernel rules are compared with (default: this kernel's;\n"
    "'any' counts as newer than every minKernel). --stats prints one JSON object with the\n"
    "program's instructions, worst_path and mean_path (executed instructions over every syscall\n"
    "number of the first ABI), allows and cacheable_allows; without -o only the figures are printed.\n"
    "\n"
    "--weights RECORDING.json weights the filter's syscall search by how often each syscall was\n"
    "called in a recording (what `sysfence record --json FILE` or `sysfence merge --json` writes:\n"
    "syscalls[].count for each ABI and number, also numbers no table names): each ABI's hot syscalls\n"
    "are decided in fewer instructions. The decisions are the same either way; mean_path in --stats\n"
    "stays the unweighted mean over the table. A recording that is not valid JSON, not a recording,\n"
    "or has a wrong type or an unknown syscall is an error naming the JSON path (exit status 2,\n"
    "nothing written).\n"
    "\n"
    "Errors (exit status 2) write nothing; warnings are printed and give exit status 1.\n"
    "Binary BPF is not written to a terminal: give -o FILE or redirect.\n"
    "\n"
    "Examples:\n"
    "  sysfence compile web.sfp -o web.bpf\n"
    "  sysfence compile moby-default.json --arch x86_64 --caps CAP_SYS_ADMIN --stats\n"
    "  sysfence compile web.sfp --format json -o web-seccomp.json\n"
    "  sysfence compile web.sfp --format systemd --unit web -o /etc/systemd/system\n"
    "  sysfence record --json web.rec.json -o web.sfp -- ./web && \\\n"
    "    sysfence compile web.sfp --weights web.rec.json -o web.bpf\n"
    "\n"
    "docs/formats.md describes every format and how it maps to the policy model.";

struct CompileFlags {
  std::string policy_path;
  std::string output = "-";
  std::string format = "bpf";
  std::vector<std::string> arches;
  std::vector<std::string> caps;
  std::string kernel;
  std::string name;
  std::string weights;
  std::string k8s_version = "v1";
  std::string unit;
  bool stats = false;
};

std::string RunningKernel() {
  struct utsname info {};
  if (uname(&info) != 0) return {};
  return info.release;
}

std::string Stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  if (auto dot = base.find('.'); dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base.empty() || base == "-" ? "policy" : base;
}

nlohmann::ordered_json StatsJson(const bpf::Program& program, const policy::Policy& policy) {
  const inspect::CompileStats stats = inspect::ComputeStats(program, policy);
  nlohmann::ordered_json out;
  out["instructions"] = stats.instructions;
  out["worst_path"] = stats.worst_path;
  out["mean_path"] = std::round(stats.mean_path * 100) / 100;
  out["allows"] = stats.allows;
  out["cacheable_allows"] = stats.cacheable_allows;
  out["arch"] = std::string(ArchName(policy.arches.front()));
  return out;
}

// The syscall counts of a recording, by ABI and number (profile::CallCounts), read through the
// profile library like every recording. Errors name the file and the JSON path.
Result<std::map<std::pair<Arch, uint32_t>, uint64_t>> ReadWeights(const std::string& path) {
  auto text = ReadInputFile(path);
  if (!text.ok()) return text.error();
  auto recording = profile::ProfileFromJson(*text, path);
  if (!recording.ok()) return recording.error();
  return profile::CallCounts(*recording);
}

// The policy (or its compiled program, for the binary formats) in the requested format.
Result<std::string> ExportAs(const std::string& format, const policy::Policy& policy,
                             const std::optional<bpf::Program>& program, const std::string& name,
                             const std::string& k8s_version, Diagnostics& diagnostics) {
  if (format == "bpf") return bpf::SerializeRawBpf(*program);
  if (format == "disasm") {
    inspect::DisassembleOptions disasm;
    disasm.default_arch = policy.arches.front();
    return inspect::Disassemble(*program, disasm);
  }
  if (format == "c") return formats::ExportCHeader(*program, name);
  if (format == "oci-config") return formats::ExportOciConfig(policy, diagnostics);
  if (format == "json") return formats::ExportOciJson(policy, diagnostics);
  if (format == "k8s" || format == "k8s-json") {
    formats::KubernetesExportOptions k8s;
    k8s.syntax = format == "k8s" ? formats::KubernetesSyntax::kYaml : formats::KubernetesSyntax::kJson;
    k8s.version = k8s_version == "v1beta1" ? formats::SeccompProfileVersion::kV1beta1 : formats::SeccompProfileVersion::kV1;
    return formats::ExportKubernetesProfile(policy, name, k8s, diagnostics);
  }
  if (format == "systemd") return formats::ExportSystemdUnit(policy, diagnostics);
  // --format's words (OneOf) and this dispatch must agree: value_sets_test runs every word.
  return MakeError(ErrorCode::kInternal, "no writer for format '" + format + "'");
}

// For --unit NAME: the folder NAME.service.d beneath -o's folder (default "."), checked before
// anything is written. Errors: --unit with another format, a bad name, -o not a folder.
Result<std::string> UnitDropInFolder(const CompileFlags& flags) {
  if (flags.format != "systemd") return MakeError(ErrorCode::kInvalidInput, "--unit needs --format systemd");
  std::string name = flags.unit;
  if (name.ends_with(".service")) name.resize(name.size() - std::string_view(".service").size());
  if (!formats::IsValidUnitName(name)) {
    return MakeError(ErrorCode::kInvalidInput, "--unit '" + flags.unit +
                                                   "' is not a service name (letters, digits and :-_.\\@)");
  }
  const std::string folder = flags.output == "-" ? "." : flags.output;
  struct stat info {};
  if (stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidInput, "with --unit, -o names a folder; '" + folder + "' is not one");
  }
  return folder + "/" + name + ".service.d";
}

int CompileCommand(const CompileFlags& flags) {
  std::string unit_folder;
  if (!flags.unit.empty()) {
    auto folder = UnitDropInFolder(flags);
    if (!folder.ok()) return BadInput(folder.error().message);
    unit_folder = *folder;
  }
  std::vector<Arch> arches;
  for (const std::string& name : flags.arches) {
    auto arch = ArchFromName(name);
    if (!arch) {
      std::vector<std::string_view> known;
      for (Arch a : AllArches()) known.push_back(ArchName(a));
      return BadInput("unknown ABI '" + name + "'" + DidYouMean(name, known));
    }
    if (std::find(arches.begin(), arches.end(), *arch) == arches.end()) arches.push_back(*arch);
  }
  formats::LoadOptions options;
  options.capabilities.insert(flags.caps.begin(), flags.caps.end());
  options.kernel_version = flags.kernel.empty() ? RunningKernel() : (flags.kernel == "any" ? "" : flags.kernel);
  if (!arches.empty()) options.host_arch = arches.front();
  std::string path = flags.policy_path;
  auto text = ReadInputFile(path);
  if (const size_t hash = path.rfind('#'); !text.ok() && hash != std::string::npos && hash > 0) {
    // FILE#NAME: the SeccompProfile called NAME in a file that holds several.
    options.object_name = path.substr(hash + 1);
    path.resize(hash);
    text = ReadInputFile(path);
  }
  if (!text.ok()) return ReportError(text.error());
  Diagnostics diagnostics;
  const std::string file_name = path == "-" ? "<stdin>" : path;
  std::optional<policy::Policy> policy = formats::LoadPolicyText(*text, file_name, options, diagnostics);
  if (!policy || diagnostics.HasErrors()) return std::max(ReportDiagnostics(diagnostics, *text), kExitBadInput);
  if (!arches.empty()) policy->arches = arches;
  if (policy->arches.empty()) policy->arches = {NativeArch()};
  codegen::CompileOptions compile_options;
  if (!flags.weights.empty()) {
    auto weights = ReadWeights(flags.weights);
    if (!weights.ok()) return BadInput(weights.error().message);
    compile_options.frequencies = std::move(*weights);
  }

  std::string output;
  std::optional<bpf::Program> program;
  const bool binary = flags.format == "bpf" || flags.format == "disasm" || flags.format == "c";
  if (binary || flags.stats) {
    auto compiled = codegen::Compile(*policy, compile_options);
    if (!compiled.ok()) {
      ReportDiagnostics(diagnostics, *text);
      return BadInput(file_name + ": " + compiled.error().message);
    }
    program = std::move(*compiled);
  }
  const std::string name =
      !flags.name.empty() ? flags.name : (options.object_name.empty() ? Stem(path) : options.object_name);
  Result<std::string> exported = ExportAs(flags.format, *policy, program, name, flags.k8s_version, diagnostics);
  const int diagnostics_status = ReportDiagnostics(diagnostics, *text);
  if (!exported.ok()) return BadInput("cannot write " + flags.format + ": " + exported.error().message);
  std::optional<nlohmann::ordered_json> stats;
  if (flags.stats) {
    stats = StatsJson(*program, *policy);
  }
  const bool write_output = !(flags.stats && flags.output == "-");
  if (write_output) {
    if (flags.format == "bpf" && flags.output == "-" && isatty(STDOUT_FILENO)) {
      return BadInput("refusing to write binary BPF to a terminal; give -o FILE, redirect, or use --format disasm");
    }
    if (!unit_folder.empty() && mkdir(unit_folder.c_str(), 0755) != 0 && errno != EEXIST) {
      return ReportError(MakeError(ErrorCode::kOs, "cannot create '" + unit_folder + "': " + std::strerror(errno)));
    }
    auto written = WriteOutputFile(unit_folder.empty() ? flags.output : unit_folder + "/sysfence.conf", *exported);
    if (!written.ok()) return ReportError(written.error());
  }
  if (stats) std::printf("%s\n", stats->dump().c_str());
  return diagnostics_status == kExitFindings ? kExitFindings : kExitOk;
}

const CommandRegistration kRegistration(20, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("compile", "Compile a policy (.sfp or OCI JSON) to BPF, or convert it");
  sub->footer(kCompileHelp);
  auto flags = std::make_shared<CompileFlags>();
  sub->add_option("policy", flags->policy_path, "Policy file (.sfp, OCI/Docker or Kubernetes JSON; - for stdin)")
      ->required();
  sub->add_option("-o,--output", flags->output, "Output file (default: standard output); written atomically");
  OneOf(sub->add_option("-f,--format", flags->format, "What to write (default bpf; each is described below)"),
        {"bpf", "disasm", "c", "json", "k8s", "k8s-json", "systemd", "oci-config"});
  sub->add_option("--unit", flags->unit, "With --format systemd: write NAME.service.d/sysfence.conf under -o's folder");
  sub->add_option("--arch,-a", flags->arches, "ABIs to accept, replacing the policy's (x86_64,x86,x32,aarch64,...)")
      ->delimiter(',');
  sub->add_option("--caps", flags->caps, "Capabilities granted (CAP_SYS_ADMIN,...) for Docker's caps rules")
      ->delimiter(',');
  sub->add_option("--kernel", flags->kernel, "Kernel release for minKernel rules (default: running; 'any')");
  sub->add_option("--name", flags->name, "Name for C identifiers and the SeccompProfile (default: file stem)");
  sub->add_option("--weights", flags->weights,
                  "Recording (sysfence record --json FILE) whose syscall counts weight the search");
  OneOf(sub->add_option("--k8s-version", flags->k8s_version,
                        "SeccompProfile apiVersion for k8s/k8s-json: v1 (default, the CRD's storage version) or v1beta1"),
        {"v1", "v1beta1"});
  sub->add_flag("--stats", flags->stats, "Print instructions, worst_path, mean_path, allows, cacheable_allows");
  sub->callback([flags, exit_status] { *exit_status = CompileCommand(*flags); });
});

}  // namespace
}  // namespace sysfence::cli
