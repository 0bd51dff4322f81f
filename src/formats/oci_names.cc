// SPDX-License-Identifier: Apache-2.0
#include "formats/oci_names.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace sysfence::formats {
namespace {

constexpr std::array<std::pair<std::string_view, OciActionName>, 9> kActions = {{
    {"SCMP_ACT_KILL", OciActionName::kKill},
    {"SCMP_ACT_KILL_PROCESS", OciActionName::kKillProcess},
    {"SCMP_ACT_KILL_THREAD", OciActionName::kKillThread},
    {"SCMP_ACT_TRAP", OciActionName::kTrap},
    {"SCMP_ACT_ERRNO", OciActionName::kErrno},
    {"SCMP_ACT_TRACE", OciActionName::kTrace},
    {"SCMP_ACT_ALLOW", OciActionName::kAllow},
    {"SCMP_ACT_LOG", OciActionName::kLog},
    {"SCMP_ACT_NOTIFY", OciActionName::kNotify},
}};

constexpr std::array<std::pair<std::string_view, policy::CompareOp>, 7> kOps = {{
    {"SCMP_CMP_NE", policy::CompareOp::kNe},
    {"SCMP_CMP_LT", policy::CompareOp::kLt},
    {"SCMP_CMP_LE", policy::CompareOp::kLe},
    {"SCMP_CMP_EQ", policy::CompareOp::kEq},
    {"SCMP_CMP_GE", policy::CompareOp::kGe},
    {"SCMP_CMP_GT", policy::CompareOp::kGt},
    {"SCMP_CMP_MASKED_EQ", policy::CompareOp::kMaskedEq},
}};

struct ArchRow {
  std::string_view name;
  std::optional<Arch> arch;
};
// Every architecture libseccomp 2.5/2.6 knows; only some are sysfence ABIs.
constexpr std::array<ArchRow, 25> kArchRows = {{
    {"SCMP_ARCH_X86", Arch::kX86},
    {"SCMP_ARCH_X86_64", Arch::kX86_64},
    {"SCMP_ARCH_X32", Arch::kX32},
    {"SCMP_ARCH_ARM", Arch::kArm},
    {"SCMP_ARCH_AARCH64", Arch::kAarch64},
    {"SCMP_ARCH_RISCV64", Arch::kRiscv64},
    {"SCMP_ARCH_PPC64LE", Arch::kPpc64le},
    {"SCMP_ARCH_S390X", Arch::kS390x},
    {"SCMP_ARCH_NATIVE", std::nullopt},
    {"SCMP_ARCH_MIPS", std::nullopt},
    {"SCMP_ARCH_MIPS64", std::nullopt},
    {"SCMP_ARCH_MIPS64N32", std::nullopt},
    {"SCMP_ARCH_MIPSEL", std::nullopt},
    {"SCMP_ARCH_MIPSEL64", std::nullopt},
    {"SCMP_ARCH_MIPSEL64N32", std::nullopt},
    {"SCMP_ARCH_PPC", std::nullopt},
    {"SCMP_ARCH_PPC64", std::nullopt},
    {"SCMP_ARCH_S390", std::nullopt},
    {"SCMP_ARCH_PARISC", std::nullopt},
    {"SCMP_ARCH_PARISC64", std::nullopt},
    {"SCMP_ARCH_LOONGARCH64", std::nullopt},
    {"SCMP_ARCH_M68K", std::nullopt},
    {"SCMP_ARCH_SH", std::nullopt},
    {"SCMP_ARCH_SHEB", std::nullopt},
    {"SCMP_ARCH_RISCV32", std::nullopt},
}};

struct GoArchRow {
  std::string_view name;
  std::optional<Arch> arch;
};
// GOARCH values (what Docker compares with) plus the libseccomp-style spellings profiles also use.
constexpr std::array<GoArchRow, 26> kGoArches = {{
    {"amd64", Arch::kX86_64},   {"x86_64", Arch::kX86_64},  {"386", Arch::kX86},
    {"x86", Arch::kX86},        {"i386", Arch::kX86},       {"x32", Arch::kX32},
    {"arm64", Arch::kAarch64},  {"aarch64", Arch::kAarch64}, {"arm", Arch::kArm},
    {"riscv64", Arch::kRiscv64}, {"ppc64le", Arch::kPpc64le}, {"s390x", Arch::kS390x},
    {"s390", std::nullopt},     {"ppc64", std::nullopt},    {"ppc", std::nullopt},
    {"mips", std::nullopt},     {"mipsle", std::nullopt},   {"mips64", std::nullopt},
    {"mips64le", std::nullopt}, {"mipsel", std::nullopt},   {"mips64n32", std::nullopt},
    {"mipsel64", std::nullopt}, {"mipsel64n32", std::nullopt}, {"loong64", std::nullopt},
    {"loongarch64", std::nullopt}, {"riscv32", std::nullopt},
}};

constexpr std::array<std::string_view, 6> kFlags = {
    "SECCOMP_FILTER_FLAG_TSYNC",       "SECCOMP_FILTER_FLAG_LOG",          "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_NEW_LISTENER", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

}  // namespace

std::optional<OciActionName> OciActionFromName(std::string_view name) {
  for (const auto& [spelling, value] : kActions) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

std::span<const std::string_view> OciActionNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& row : kActions) out.push_back(row.first);
    return out;
  }();
  return names;
}

Action OciActionToAction(OciActionName name, std::optional<uint16_t> errno_ret) {
  constexpr uint16_t kEperm = 1;
  switch (name) {
    case OciActionName::kKill:
    case OciActionName::kKillThread: return Action::KillThread();
    case OciActionName::kKillProcess: return Action::KillProcess();
    case OciActionName::kTrap: return Action::Trap();
    case OciActionName::kErrno: return Action::Errno(errno_ret.value_or(kEperm));
    case OciActionName::kTrace: return Action::Trace(errno_ret.value_or(kEperm));
    case OciActionName::kAllow: return Action::Allow();
    case OciActionName::kLog: return Action::Log();
    case OciActionName::kNotify: return Action::Notify();
  }
  return Action::KillProcess();
}

std::string_view OciActionSpelling(const Action& action) {
  switch (action.kind) {
    case ActionKind::kKillProcess: return "SCMP_ACT_KILL_PROCESS";
    case ActionKind::kKillThread: return "SCMP_ACT_KILL_THREAD";
    case ActionKind::kTrap: return "SCMP_ACT_TRAP";
    case ActionKind::kErrno: return "SCMP_ACT_ERRNO";
    case ActionKind::kNotify: return "SCMP_ACT_NOTIFY";
    case ActionKind::kTrace: return "SCMP_ACT_TRACE";
    case ActionKind::kLog: return "SCMP_ACT_LOG";
    case ActionKind::kAllow: return "SCMP_ACT_ALLOW";
  }
  return "SCMP_ACT_KILL_PROCESS";
}

std::optional<policy::CompareOp> OciOpFromName(std::string_view name) {
  for (const auto& [spelling, value] : kOps) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

std::span<const std::string_view> OciOpNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& row : kOps) out.push_back(row.first);
    return out;
  }();
  return names;
}

std::string_view OciOpName(policy::CompareOp op) {
  for (const auto& [spelling, value] : kOps) {
    if (value == op) return spelling;
  }
  return "SCMP_CMP_EQ";
}

OciArchName OciArchFromName(std::string_view name) {
  for (const ArchRow& row : kArchRows) {
    if (row.name == name) return {true, row.arch};
  }
  return {};
}

std::span<const std::string_view> OciArchNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const ArchRow& row : kArchRows) out.push_back(row.name);
    return out;
  }();
  return names;
}

std::string_view OciArchSpelling(Arch arch) {
  for (const ArchRow& row : kArchRows) {
    if (row.arch == arch) return row.name;
  }
  return "SCMP_ARCH_NATIVE";
}

bool GoArchMatches(std::string_view name, Arch host) {
  return std::any_of(kGoArches.begin(), kGoArches.end(),
                     [&](const GoArchRow& row) { return row.name == name && row.arch == host; });
}

bool IsKnownGoArch(std::string_view name) {
  return std::any_of(kGoArches.begin(), kGoArches.end(), [&](const GoArchRow& row) { return row.name == name; });
}

std::span<const std::string_view> OciFilterFlags() { return kFlags; }

}  // namespace sysfence::formats
