// SPDX-License-Identifier: Apache-2.0
// Test-only reference: applies an OCI/Docker profile the way runc does (libseccomp-golang's rule
// loop, re-stated in C++ over libseccomp), so tests can compare sysfence's reading of a profile
// with the filter libseccomp really builds. Included by *_test.cc files only.
#pragma once

#include <seccomp.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bpf/program.h"
#include "core/action.h"

namespace sysfence::formats::testing {

inline uint32_t LibseccompAction(const std::string& name, const nlohmann::json& errno_ret) {
  const uint16_t data = errno_ret.is_number() ? errno_ret.get<uint16_t>() : 1;
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(data);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(data);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return SCMP_ACT_KILL_PROCESS;
}

inline scmp_compare LibseccompOp(const std::string& op) {
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return SCMP_CMP_EQ;
}

/// Builds the x86_64 filter runc would install for the Docker profile `profile` (no includes or
/// excludes: the caller resolves those). nullopt when runc would fail to load the profile.
inline std::optional<bpf::Program> RuncFilter(const nlohmann::json& profile) {
  const uint32_t default_action =
      LibseccompAction(profile["defaultAction"].get<std::string>(), profile.value("defaultErrnoRet", nlohmann::json()));
  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (ctx == nullptr) return std::nullopt;
  bool ok = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) == 0;
  for (const auto& rule : profile.value("syscalls", nlohmann::json::array())) {
    const uint32_t action = LibseccompAction(rule["action"].get<std::string>(), rule.value("errnoRet", nlohmann::json()));
    if (action == default_action) continue;  // runc: redundant, skipped
    std::vector<scmp_arg_cmp> conditions;
    std::set<unsigned> indexes;
    bool repeated = false;
    for (const auto& arg : rule.value("args", nlohmann::json::array())) {
      const unsigned index = arg["index"].get<unsigned>();
      repeated |= !indexes.insert(index).second;
      conditions.push_back(scmp_arg_cmp{index, LibseccompOp(arg["op"].get<std::string>()),
                                        arg.value("value", uint64_t{0}), arg.value("valueTwo", uint64_t{0})});
    }
    for (const auto& name : rule["names"]) {
      const int nr = seccomp_syscall_resolve_name(name.get<std::string>().c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // runc: unknown names are ignored
      if (conditions.empty()) {
        ok &= seccomp_rule_add(ctx, action, nr, 0) == 0;
      } else if (repeated) {
        for (const scmp_arg_cmp& c : conditions) ok &= seccomp_rule_add_array(ctx, action, nr, 1, &c) == 0;
      } else {
        ok &= seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()), conditions.data()) == 0;
      }
    }
  }
  std::optional<bpf::Program> program;
  if (ok) {
    std::FILE* file = std::tmpfile();
    if (file != nullptr && seccomp_export_bpf(ctx, fileno(file)) == 0) {
      std::rewind(file);
      bpf::Program out;
      bpf::Instruction insn;
      while (std::fread(&insn, sizeof(insn), 1, file) == 1) out.push_back(insn);
      program = std::move(out);
    }
    if (file != nullptr) std::fclose(file);
  }
  seccomp_release(ctx);
  return program;
}

/// False when some comparison in `program` can be reached with the accumulator holding different
/// seccomp_data fields on different paths. libseccomp 2.5.4 emits such programs when argument
/// trees of one syscall fall through into each other (it skips a reload it believes redundant: a
/// libseccomp bug, fixed upstream); they decide by accident, not by libseccomp's rules, so
/// differential tests leave them out and count them.
inline bool AccumulatorConsistent(const bpf::Program& program) {
  std::vector<std::set<int64_t>> loaded(program.size() + 1);
  if (program.empty()) return true;
  loaded[0] = {-1};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const bpf::Instruction& insn = program[pc];
    const auto& here = loaded[pc];
    if (here.empty()) continue;  // unreachable
    const uint16_t cls = insn.code & 0x07;
    auto flow = [&](size_t target, const std::set<int64_t>& state) {
      if (target < loaded.size()) loaded[target].insert(state.begin(), state.end());
    };
    if (cls == 0x00 && (insn.code & 0xe0) == 0x20) {  // ld [k]
      flow(pc + 1, {static_cast<int64_t>(insn.k)});
    } else if (cls == 0x05) {  // jumps
      const uint16_t op = insn.code & 0xf0;
      if (op == 0x00) {
        flow(pc + 1 + insn.k, here);
      } else {
        if (here.size() > 1) return false;
        flow(pc + 1 + insn.jt, here);
        flow(pc + 1 + insn.jf, here);
      }
    } else if (cls != 0x06) {  // ALU and others keep the tag; ret ends the path
      flow(pc + 1, here);
    }
  }
  return true;
}

}  // namespace sysfence::formats::testing
