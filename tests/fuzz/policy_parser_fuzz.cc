// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the .sfp parser. Any input must parse or be rejected with diagnostics, never
// crash; an accepted policy must survive the whole pipeline of the policy library:
//   parse -> check (no errors) -> lint -> print -> parse again == the same policy, printed the same,
//   and the fast evaluator must agree with the reference evaluator.
// Includes resolve in memory ("a.sfp" includes back into the input), so fuzzing touches no files.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/checks.h"
#include "ir/build.h"
#include "ir/evaluate.h"
#include "policy/evaluate.h"
#include "policy/lint.h"
#include "policy/parser.h"
#include "policy/printer.h"
#include "syscalls/syscalls.h"

namespace {

using sysfence::Diagnostics;
using namespace sysfence::policy;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "policy_parser_fuzz: %s\n", what);
  std::abort();
}

void CheckEvaluators(const Policy& policy, std::string_view input) {
  // The IR evaluator (what the run supervisor names rules with) against the reference.
  sysfence::Result<sysfence::ir::Ir> built = sysfence::ir::BuildIr(policy);
  if (!built.ok()) return;
  const sysfence::ir::Ir& ir = built.value();
  for (sysfence::Arch arch : policy.arches) {
    const auto all = sysfence::syscalls::AllOf(arch);
    if (all.empty()) continue;
    for (size_t i = 0; i < 8; ++i) {
      sysfence::SeccompData data;
      data.arch = sysfence::GetArchInfo(arch).audit_arch;
      const size_t pick = input.empty() ? i : static_cast<unsigned char>(input[i % input.size()]) * 7 + i;
      data.nr = static_cast<int32_t>(all[pick % all.size()].number);
      for (int a = 0; a < 6; ++a) data.args[a] = (i & 1) ? ~uint64_t{0} >> (a * 8) : uint64_t{i} << (a * 5);
      const Decision expected = Evaluate(policy, data);
      const Decision actual = sysfence::ir::Evaluate(ir, data);
      if (!(expected.action == actual.action) || expected.by != actual.by || expected.rule_index != actual.rule_index) {
        Fail("evaluators disagree");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.resolve_include = [&text](std::string_view path, std::string_view) -> sysfence::Result<std::pair<std::string, std::string>> {
    if (path == "a.sfp") return std::make_pair(std::string("a.sfp"), text);
    if (path == "b.sfp") return std::make_pair(std::string("b.sfp"), std::string("allow read\n"));
    return sysfence::MakeError(sysfence::ErrorCode::kNotFound, "no such file");
  };
  Diagnostics diagnostics;
  const std::optional<Policy> policy = ParsePolicy(text, "fuzz.sfp", diagnostics, options);
  if (!policy) {
    if (!diagnostics.HasErrors()) Fail("rejected without an error");
    return 0;
  }
  Diagnostics check;
  CheckPolicy(*policy, check);
  if (check.HasErrors()) Fail("the parser accepted what CheckPolicy rejects");
  Diagnostics lint;
  LintPolicy(*policy, lint);
  const std::string printed = PrintPolicy(*policy);
  Diagnostics again_diagnostics;
  const std::optional<Policy> again = ParsePolicy(printed, "printed.sfp", again_diagnostics);
  if (!again) Fail("the printed policy does not parse");
  if (!(*again == *policy)) Fail("parse(print(p)) != p");
  if (PrintPolicy(*again) != printed) Fail("printing is not idempotent");
  CheckEvaluators(*policy, text);
  return 0;
}
