// SPDX-License-Identifier: Apache-2.0
// The public PolicyBuilder: builds the internal model directly, checking each call as it comes and
// keeping the first error. Each call gets a span "PolicyBuilder:N" (N = the call's number), so
// errors found later (a missing Landlock path, a width check) still point at the call.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/policy_impl.h"
#include "core/action.h"
#include "core/arch.h"
#include "core/suggest.h"
#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/parser.h"
#include "policy/privileges.h"
#include "syscalls/syscalls.h"

namespace sysfence {

struct PolicyBuilder::State {
  policy::Policy model;
  bool arch_chosen = false;
  uint32_t calls = 0;
  std::string current_call;
  std::optional<Status> error;

  // Starts the next call: its number names it in errors and becomes the line of its span.
  SourceSpan Begin(std::string description) {
    ++calls;
    current_call = "call " + std::to_string(calls) + " " + std::move(description);
    return SourceSpan{"PolicyBuilder", calls, 1, 0, ""};
  }
  // Records the first error; returns `builder` so a method can `return state_->Fail(..., *this)`.
  PolicyBuilder& Fail(const std::string& message, PolicyBuilder& builder) {
    if (!error) error = Status::Failure(ErrorCode::kInvalidInput, "build", "build: " + current_call + ": " + message);
    return builder;
  }
};

namespace {

constexpr std::string_view kBuilderFile = "PolicyBuilder";

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "errno EPERM", "errno 38", "kill", "trap 7", ... -> Action (the grammar of core/action.h), or a
// message in the builder's words.
std::optional<Action> ParseAction(std::string_view text, std::string* problem) {
  const ActionTextResult<Action> parsed = ParseActionText(text);
  if (parsed.ok()) return parsed.value;
  const ActionTextError& error = parsed.error;
  const std::string_view part = text.substr(std::min(error.offset, text.size()), error.length);
  switch (error.kind) {
    case ActionTextError::Kind::kMissingValue:
      *problem = "\"errno\" needs a value, e.g. \"errno EPERM\"";
      break;
    case ActionTextError::Kind::kUnknownValue:
      *problem = "unknown errno or number " + Quoted(part);
      break;
    case ActionTextError::Kind::kUnknownAction:
      *problem = "unknown action " + Quoted(part) + DidYouMean(part, ActionKeywords());
      return std::nullopt;
    default:
      *problem = error.message;
      break;
  }
  if (!error.hint.empty()) *problem += " (" + error.hint + ")";
  return std::nullopt;
}

std::optional<std::string> CheckTargets(const std::vector<std::string>& targets) {
  if (targets.empty()) return "no syscalls given";
  for (const std::string& target : targets) {
    if (!target.empty() && target[0] == '@') {
      if (syscalls::FindGroup(target) == nullptr) {
        std::vector<std::string_view> names;
        for (const syscalls::Group& group : syscalls::AllGroups()) names.push_back(group.name);
        return "unknown group " + Quoted(target) + DidYouMean(target, names);
      }
    } else if (!syscalls::IsKnownName(target)) {
      return "unknown syscall " + Quoted(target) + DidYouMean(target, syscalls::AllNames());
    }
  }
  return std::nullopt;
}

}  // namespace

PolicyBuilder::PolicyBuilder() : state_(std::make_unique<State>()) {
  state_->model.arches = {NativeArch()};
  state_->model.default_action = Action::Errno(1);  // EPERM
  state_->model.badarch_action = Action::KillProcess();
  state_->model.default_span = SourceSpan{std::string(kBuilderFile), 0, 0, 0, ""};
}
PolicyBuilder::PolicyBuilder(PolicyBuilder&&) noexcept = default;
PolicyBuilder& PolicyBuilder::operator=(PolicyBuilder&&) noexcept = default;
PolicyBuilder::~PolicyBuilder() = default;


PolicyBuilder& PolicyBuilder::Arch(std::string_view abi) {
  state_->Begin("Arch(" + Quoted(abi) + ")");
  if (state_->error) return *this;
  const std::optional<sysfence::Arch> arch = ArchFromName(abi);
  if (!arch) {
    std::vector<std::string_view> names;
    for (sysfence::Arch known : AllArches()) names.push_back(ArchName(known));
    return state_->Fail("unknown ABI " + Quoted(abi) + DidYouMean(abi, names), *this);
  }
  if (!state_->arch_chosen) {
    state_->model.arches.clear();
    state_->arch_chosen = true;
  }
  for (sysfence::Arch listed : state_->model.arches) {
    if (listed == *arch) return state_->Fail("ABI " + std::string(ArchName(*arch)) + " is listed twice", *this);
  }
  state_->model.arches.push_back(*arch);
  return *this;
}

PolicyBuilder& PolicyBuilder::Default(std::string_view action) {
  const SourceSpan span = state_->Begin("Default(" + Quoted(action) + ")");
  if (state_->error) return *this;
  std::string problem;
  const std::optional<Action> parsed = ParseAction(action, &problem);
  if (!parsed) return state_->Fail(problem, *this);
  state_->model.default_action = *parsed;
  state_->model.default_span = span;
  return *this;
}

PolicyBuilder& PolicyBuilder::BadArch(std::string_view action) {
  state_->Begin("BadArch(" + Quoted(action) + ")");
  if (state_->error) return *this;
  std::string problem;
  const std::optional<Action> parsed = ParseAction(action, &problem);
  if (!parsed) return state_->Fail(problem, *this);
  state_->model.badarch_action = *parsed;
  return *this;
}

PolicyBuilder& PolicyBuilder::Allow(const std::vector<std::string>& syscalls) { return Rule("allow", syscalls); }

PolicyBuilder& PolicyBuilder::Rule(std::string_view action, const std::vector<std::string>& syscalls) {
  const SourceSpan span = state_->Begin(std::string(action == "allow" ? "Allow" : "Rule(" + Quoted(action) + ", ...)"));
  if (state_->error) return *this;
  std::string problem;
  const std::optional<Action> parsed = ParseAction(action, &problem);
  if (!parsed) return state_->Fail(problem, *this);
  if (std::optional<std::string> bad = CheckTargets(syscalls)) return state_->Fail(*bad, *this);
  policy::Rule rule;
  rule.action = *parsed;
  rule.targets = syscalls;
  rule.span = span;
  state_->model.rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::RuleIf(std::string_view action, std::string_view syscall, std::string_view condition) {
  const SourceSpan span = state_->Begin("RuleIf(" + Quoted(action) + ", " + Quoted(syscall) + ", " + Quoted(condition) + ")");
  if (state_->error) return *this;
  std::string problem;
  if (!ParseAction(action, &problem)) return state_->Fail(problem, *this);
  if (std::optional<std::string> bad = CheckTargets({std::string(syscall)})) return state_->Fail(*bad, *this);
  // The condition is policy syntax: parse a one-rule policy with the ABIs chosen so far.
  std::string text = "arch";
  for (sysfence::Arch arch : state_->model.arches) text += " " + std::string(ArchName(arch));
  text += "\n" + std::string(action) + " " + std::string(syscall) + " if " + std::string(condition) + "\n";
  Diagnostics diagnostics;
  std::optional<policy::Policy> parsed = policy::ParsePolicy(text, kBuilderFile, diagnostics);
  if (!parsed || parsed->rules.size() != 1) {
    std::string message = "invalid condition";
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      if (diagnostic.severity != Severity::kError) continue;
      message += ": " + diagnostic.message;
      if (!diagnostic.hint.empty()) message += " (" + diagnostic.hint + ")";
      break;
    }
    return state_->Fail(message, *this);
  }
  policy::Rule rule = std::move(parsed->rules[0]);
  rule.span = span;
  state_->model.rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::Fs(std::string_view access, const std::vector<std::string>& paths) {
  const SourceSpan span = state_->Begin("Fs(" + Quoted(access) + ", ...)");
  if (state_->error) return *this;
  uint32_t rights = 0;
  const std::vector<std::string> words = Words(access);
  if (words.empty()) return state_->Fail("no access words, e.g. \"read\" or \"read,write\"", *this);
  for (const std::string& word : words) {
    const std::optional<uint32_t> bits = policy::FsAccessFromWord(word);
    if (!bits) {
      std::vector<std::string_view> known;
      for (const policy::FsAccessWord& entry : policy::AllFsAccessWords()) known.push_back(entry.word);
      return state_->Fail("unknown access " + Quoted(word) + DidYouMean(word, known), *this);
    }
    rights |= *bits;
  }
  if (paths.empty()) return state_->Fail("no paths given", *this);
  for (const std::string& path : paths) {
    if (path.empty() || path[0] != '/') return state_->Fail("path " + Quoted(path) + " is not absolute", *this);
  }
  policy::FsRule rule;
  rule.access = rights;
  rule.paths = paths;
  rule.span = span;
  state_->model.fs_rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::Net(std::string_view kind, uint16_t port) {
  const SourceSpan span = state_->Begin("Net(" + Quoted(kind) + ", " + std::to_string(port) + ")");
  if (state_->error) return *this;
  policy::NetRule rule;
  if (kind == "bind") {
    rule.kind = policy::NetRule::Kind::kBind;
  } else if (kind == "connect") {
    rule.kind = policy::NetRule::Kind::kConnect;
  } else {
    return state_->Fail("expected \"bind\" or \"connect\", got " + Quoted(kind), *this);
  }
  rule.port = port;
  rule.span = span;
  state_->model.net_rules.push_back(std::move(rule));
  return *this;
}

PolicyBuilder& PolicyBuilder::KeepCapabilities(const std::vector<std::string>& capabilities) {
  const SourceSpan span = state_->Begin("KeepCapabilities(...)");
  if (state_->error) return *this;
  if (state_->model.caps) return state_->Fail("caps are already set by an earlier call", *this);
  if (capabilities.empty()) {
    return state_->Fail("no capabilities given (KeepNoCapabilities() drops them all)", *this);
  }
  policy::CapsRule rule;
  rule.span = span;
  for (const std::string& name : capabilities) {
    const std::optional<int> number = policy::CapabilityFromName(name);
    if (!number) {
      std::string upper = Upper(name);
      if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
      if (policy::CapabilityFromName(upper)) {
        return state_->Fail("unknown capability " + Quoted(name) + "; capabilities are written as capabilities(7) "
                            "names them: " + Quoted(upper), *this);
      }
      std::vector<std::string_view> names;
      for (const policy::CapabilityEntry& entry : policy::AllCapabilities()) names.push_back(entry.name);
      return state_->Fail("unknown capability " + Quoted(name) + DidYouMean(name, names), *this);
    }
    if (std::find(rule.keep.begin(), rule.keep.end(), *number) != rule.keep.end()) {
      return state_->Fail("capability " + Quoted(name) + " is listed twice", *this);
    }
    rule.keep.push_back(*number);
  }
  std::sort(rule.keep.begin(), rule.keep.end());
  state_->model.caps = std::move(rule);
  return *this;
}

PolicyBuilder& PolicyBuilder::KeepNoCapabilities() {
  const SourceSpan span = state_->Begin("KeepNoCapabilities()");
  if (state_->error) return *this;
  if (state_->model.caps) return state_->Fail("caps are already set by an earlier call", *this);
  policy::CapsRule rule;
  rule.span = span;
  state_->model.caps = std::move(rule);
  return *this;
}

PolicyBuilder& PolicyBuilder::Unshare(const std::vector<std::string>& namespaces) {
  const SourceSpan span = state_->Begin("Unshare(...)");
  if (state_->error) return *this;
  if (state_->model.unshare) return state_->Fail("unshare is already set by an earlier call", *this);
  if (namespaces.empty()) return state_->Fail("no namespaces given, e.g. {\"net\", \"ipc\"}", *this);
  policy::UnshareRule rule;
  rule.span = span;
  for (const std::string& word : namespaces) {
    const std::optional<policy::Namespace> ns = policy::NamespaceFromWord(word);
    if (!ns) {
      std::vector<std::string_view> words;
      for (const policy::NamespaceEntry& entry : policy::AllNamespaces()) words.push_back(entry.word);
      std::string hint = DidYouMean(word, words);
      if (hint.empty()) hint = " (namespaces are net ipc uts pid mount user cgroup)";
      return state_->Fail("unknown namespace " + Quoted(word) + hint, *this);
    }
    if ((rule.namespaces & *ns) != 0) return state_->Fail("namespace " + Quoted(word) + " is listed twice", *this);
    rule.namespaces |= *ns;
  }
  if ((rule.namespaces & policy::kNsPid) != 0 && (rule.namespaces & policy::kNsMount) == 0) {
    return state_->Fail(std::string(policy::kPidNeedsMount) + " (add \"mount\")", *this);
  }
  state_->model.unshare = std::move(rule);
  return *this;
}

PolicyBuilder& PolicyBuilder::Rlimit(std::string_view resource, uint64_t limit) {
  return Rlimit(resource, limit, limit);
}

PolicyBuilder& PolicyBuilder::Rlimit(std::string_view resource, uint64_t soft, uint64_t hard) {
  const auto text = [](uint64_t value) {
    return value == kUnlimited ? std::string("kUnlimited") : std::to_string(value);
  };
  const SourceSpan span = state_->Begin("Rlimit(" + Quoted(resource) + ", " + text(soft) + ", " + text(hard) + ")");
  if (state_->error) return *this;
  const policy::ResourceEntry* entry = policy::FindResource(resource);
  if (entry == nullptr) {
    const std::string upper = Upper(resource);
    if (policy::FindResource(upper) != nullptr) {
      return state_->Fail("unknown resource " + Quoted(resource) + "; resources are written in capitals: " +
                              Quoted(upper), *this);
    }
    std::vector<std::string_view> names;
    for (const policy::ResourceEntry& known : policy::AllResources()) names.push_back(known.name);
    return state_->Fail("unknown resource " + Quoted(resource) + DidYouMean(resource, names), *this);
  }
  const std::string name(entry->name);
  for (const policy::RlimitRule& earlier : state_->model.rlimits) {
    if (earlier.resource == entry->resource) {
      return state_->Fail("rlimit " + name + " is already set by an earlier call", *this);
    }
  }
  for (uint64_t value : {soft, hard}) {
    if (value != kUnlimited && value > entry->max) {
      return state_->Fail("limit " + std::to_string(value) + " is out of range for " + name + " (0 to " +
                              std::to_string(entry->max) + ")", *this);
    }
  }
  static_assert(kUnlimited == policy::kRlimitUnlimited);
  if (soft > hard) {
    return state_->Fail("rlimit " + name + ": soft limit " + policy::FormatLimit(entry->resource, soft) +
                            " is above the hard limit " + policy::FormatLimit(entry->resource, hard), *this);
  }
  policy::RlimitRule rule;
  rule.resource = entry->resource;
  rule.soft = soft;
  rule.hard = hard;
  rule.span = span;
  state_->model.rlimits.push_back(std::move(rule));
  return *this;
}

StatusOr<Policy> PolicyBuilder::Build() const {
  if (state_->error) return *state_->error;
  Diagnostics diagnostics;
  policy::CheckPolicy(state_->model, diagnostics);
  if (diagnostics.HasErrors()) return api::StatusFromDiagnostics("build", diagnostics);
  return api::WrapPolicy(state_->model);
}

}  // namespace sysfence
