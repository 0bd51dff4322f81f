// SPDX-License-Identifier: Apache-2.0
// The public Policy: loading, printing, compiling.
#include <memory>
#include <string>
#include <utility>

#include "api/policy_impl.h"
#include "codegen/compile.h"
#include "formats/load.h"
#include "policy/printer.h"

namespace sysfence {
namespace api {

Status StatusFromError(std::string step, const Error& error) {
  std::string message = error.message;
  if (message.rfind(step + ":", 0) != 0 && message.rfind(step + " ", 0) != 0) message = step + ": " + message;
  return Status::Failure(error.code, std::move(step), std::move(message));
}

Status StatusFromDiagnostics(std::string step, const Diagnostics& diagnostics) {
  std::string message;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity != Severity::kError) continue;
    if (!message.empty()) message += "\n";
    message += RenderDiagnostic(diagnostic);
  }
  if (message.empty()) message = step + ": failed without a diagnostic";
  return Status::Failure(ErrorCode::kInvalidInput, std::move(step), std::move(message));
}

Policy PolicyAccess::Wrap(policy::Policy model) {
  auto impl = std::make_unique<Policy::Impl>();
  impl->model = std::move(model);
  return Policy(std::move(impl));
}

Policy WrapPolicy(policy::Policy model) { return PolicyAccess::Wrap(std::move(model)); }

}  // namespace api

Policy::Policy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Policy::Policy(const Policy& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Policy& Policy::operator=(const Policy& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Policy::Policy(Policy&& other) noexcept = default;
Policy& Policy::operator=(Policy&& other) noexcept = default;
Policy::~Policy() = default;

StatusOr<Policy> Policy::FromFile(const std::string& path) {
  Diagnostics diagnostics;
  std::optional<policy::Policy> model = formats::LoadPolicyFile(path, formats::LoadOptions{}, diagnostics);
  if (!model) return api::StatusFromDiagnostics("load", diagnostics);
  return api::WrapPolicy(std::move(*model));
}

StatusOr<Policy> Policy::FromText(std::string_view text, std::string_view file_name) {
  Diagnostics diagnostics;
  std::optional<policy::Policy> model =
      formats::LoadPolicyText(text, file_name, formats::LoadOptions{}, diagnostics);
  if (!model) return api::StatusFromDiagnostics("load", diagnostics);
  return api::WrapPolicy(std::move(*model));
}

std::string Policy::ToText() const { return policy::PrintPolicy(impl_->model); }

bool Policy::HasLandlockRules() const { return !impl_->model.fs_rules.empty() || !impl_->model.net_rules.empty(); }

StatusOr<std::vector<FilterInstruction>> Policy::CompileFilter() const {
  Result<bpf::Program> program = codegen::Compile(impl_->model);
  if (!program.ok()) return api::StatusFromError("compile", program.error());
  std::vector<FilterInstruction> instructions;
  instructions.reserve(program->size());
  for (const bpf::Instruction& instruction : *program) {
    instructions.push_back({instruction.code, instruction.jt, instruction.jf, instruction.k});
  }
  return instructions;
}

}  // namespace sysfence
