// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/inspect_input.h"

#include <cstdio>
#include <cstdlib>

#include "bpf/verifier.h"
#include "codegen/compile.h"
#include "formats/load.h"
#include "os/process_filters.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/cmd_program_input.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

bool IsPolicyName(const std::string& path) {
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0; };
  return ends(".sfp") || ends(".json");
}

int LoadProcess(int pid, std::optional<size_t> filter, StackInput* input) {
  auto filters = os::ReadProcessFilters(pid);
  if (!filters.ok()) return BadInput(filters.error().message);
  if (filters->empty()) return BadInput("pid " + std::to_string(pid) + " has no seccomp filters");
  input->name = "pid " + std::to_string(pid);
  input->process_filters = filters->size();
  if (filter) {
    if (*filter >= filters->size()) {
      return BadInput("pid " + std::to_string(pid) + " has " + std::to_string(filters->size()) +
                      " filter(s): --filter takes 0.." + std::to_string(filters->size() - 1));
    }
    input->stack = {(*filters)[*filter]};
    input->first_filter = *filter;
  } else {
    input->stack = std::move(*filters);
  }
  return kExitOk;
}

int LoadPolicy(const std::string& path, StackInput* input) {
  auto text = ReadInputFile(path);
  if (!text.ok()) return BadInput(text.error().message);
  Diagnostics diagnostics;
  std::optional<policy::Policy> policy = formats::LoadPolicyText(*text, path, formats::LoadOptions{}, diagnostics);
  if (!policy || diagnostics.HasErrors()) {
    ReportDiagnostics(diagnostics, *text);
    return kExitBadInput;
  }
  if (policy->arches.empty()) policy->arches = {NativeArch()};
  auto compiled = codegen::Compile(*policy);
  if (!compiled.ok()) return BadInput(path + ": " + compiled.error().message);
  input->stack = {std::move(*compiled)};
  input->policy = std::move(*policy);
  input->policy_text = std::move(*text);
  return kExitOk;
}

}  // namespace

bool ParsePidOperand(const std::string& operand, int* pid) {
  if (operand.rfind("pid:", 0) != 0 || operand.size() == 4) return false;
  char* end = nullptr;
  const long value = std::strtol(operand.c_str() + 4, &end, 10);
  if (*end != '\0' || value <= 0 || value > 0x3fffffff) return false;
  *pid = static_cast<int>(value);
  return true;
}

int LoadStackInput(const std::string& path, int pid, std::optional<size_t> filter, StackInput* input) {
  if (pid != 0 && !path.empty()) return BadInput("give either FILE or --pid, not both");
  if (pid == 0 && path.empty()) return BadInput("give a FILE or --pid PID (see --help)");
  if (filter && pid == 0) return BadInput("--filter selects one filter of a process: it needs --pid");
  int status = kExitOk;
  if (pid != 0) {
    status = LoadProcess(pid, filter, input);
  } else if (IsPolicyName(path)) {
    input->name = path;
    status = LoadPolicy(path, input);
  } else {
    ProgramInput program;
    status = LoadProgramInput(path, &program);
    if (status == kExitOk && program.kind == "policy") return LoadPolicy(path, input);
    input->name = path;
    input->stack = {std::move(program.program)};
  }
  if (status != kExitOk) return status;
  for (size_t i = 0; i < input->stack.size(); ++i) {
    if (auto failure = bpf::FindVerifyFailure(input->stack[i])) {
      const std::string which = input->stack.size() > 1 ? " (filter " + std::to_string(input->first_filter + i) + ")" : "";
      return BadInput(input->name + which + ": the kernel would refuse this program: " + failure->ToString());
    }
  }
  return kExitOk;
}

}  // namespace sysfence::cli
