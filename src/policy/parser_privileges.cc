// SPDX-License-Identifier: Apache-2.0
// The .sfp parser's privilege statements: `caps keep`, `unshare` and `rlimit`.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "policy/parser_internal.h"
#include "policy/privileges.h"

namespace sysfence::policy::parser_internal {
namespace {

const std::vector<std::string_view>& CapabilityNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const CapabilityEntry& entry : AllCapabilities()) out.push_back(entry.name);
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& NamespaceNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const NamespaceEntry& entry : AllNamespaces()) out.push_back(entry.word);
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& ResourceNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const ResourceEntry& entry : AllResources()) out.push_back(entry.name);
    return out;
  }();
  return names;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A hint for a capability name that is not in the table: the near one, or the CAP_ spelling.
std::string CapabilityHint(std::string_view name) {
  std::string upper = Upper(name);
  if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
  if (CapabilityFromName(upper)) return "capabilities are written as capabilities(7) names them: '" + upper + "'";
  return Hint(name, CapabilityNames());
}

std::string_view UnitWords(LimitUnit unit) {
  switch (unit) {
    case LimitUnit::kBytes: return "bytes";
    case LimitUnit::kCount: return "a count";
    case LimitUnit::kSeconds: return "seconds of CPU time";
    case LimitUnit::kMicroseconds: return "microseconds of real-time CPU time";
    case LimitUnit::kPriority: return "a priority";
  }
  return "a number";
}

}  // namespace

void FileParser::ParseCaps() {
  const Token keyword = Next();
  if (context_.caps_seen) {
    Fail(keyword.span, "'caps' appears twice", "the first is at " + context_.caps_seen->ToString());
    return;
  }
  if (!PeekWord("keep")) {
    Fail(Peek().span, "expected 'keep' after 'caps', found " + Describe(Peek()),
         "write 'caps keep CAP_NET_BIND_SERVICE', or 'caps keep none' to drop every capability");
    return;
  }
  Next();
  CapsRule rule;
  rule.span = keyword.span;
  std::optional<SourceSpan> none_span;
  std::vector<SourceSpan> names;
  while (!AtStatementEnd()) {
    const Token& token = Next();
    if (token.kind != TokenKind::kWord) {
      Fail(token.span, "expected a capability name, found " + Describe(token));
      return;
    }
    if (token.text == "none") {
      none_span = token.span;
      continue;
    }
    std::optional<int> number = CapabilityFromName(token.text);
    if (!number) {
      Fail(token.span, "unknown capability '" + token.text + "'", CapabilityHint(token.text));
      return;
    }
    if (std::find(rule.keep.begin(), rule.keep.end(), *number) != rule.keep.end()) {
      Fail(token.span, token.text + " is listed twice");
      return;
    }
    rule.keep.push_back(*number);
    names.push_back(token.span);
  }
  if (none_span && !rule.keep.empty()) {
    Fail(*none_span, "'none' cannot stand beside capabilities", "keep the capabilities, or write 'caps keep none'");
    return;
  }
  if (!none_span && rule.keep.empty()) {
    Fail(Peek().span, "'caps keep' needs capabilities or 'none', e.g. 'caps keep CAP_NET_BIND_SERVICE'");
    return;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  std::sort(rule.keep.begin(), rule.keep.end());
  rule.comment = TakeComment(trailing);
  context_.caps_seen = keyword.span;
  context_.policy.caps = std::move(rule);
}

void FileParser::ParseUnshare() {
  const Token keyword = Next();
  if (context_.unshare_seen) {
    Fail(keyword.span, "'unshare' appears twice", "the first is at " + context_.unshare_seen->ToString());
    return;
  }
  UnshareRule rule;
  rule.span = keyword.span;
  std::optional<SourceSpan> pid_span;
  while (!AtStatementEnd()) {
    const Token& token = Next();
    std::optional<Namespace> ns = token.kind == TokenKind::kWord ? NamespaceFromWord(token.text) : std::nullopt;
    if (!ns) {
      std::string hint = token.kind == TokenKind::kWord ? Hint(token.text, NamespaceNames()) : "";
      if (hint.empty()) hint = "namespaces are net ipc uts pid mount user cgroup";
      Fail(token.span, "unknown namespace " + Describe(token), hint);
      return;
    }
    if ((rule.namespaces & *ns) != 0) {
      Fail(token.span, "namespace '" + token.text + "' is listed twice");
      return;
    }
    rule.namespaces |= *ns;
    if (*ns == kNsPid) pid_span = token.span;
  }
  if (rule.namespaces == 0) {
    Fail(Peek().span, "'unshare' needs at least one namespace, e.g. 'unshare net ipc'");
    return;
  }
  if (pid_span && (rule.namespaces & kNsMount) == 0) {
    Fail(*pid_span, std::string(kPidNeedsMount), std::string(kPidNeedsMountHint));
    return;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  rule.comment = TakeComment(trailing);
  context_.unshare_seen = keyword.span;
  context_.policy.unshare = std::move(rule);
}

void FileParser::ParseRlimit() {
  const Token keyword = Next();
  const Token& name = Peek();
  if (name.kind != TokenKind::kWord) {
    Fail(name.span, "'rlimit' needs a resource name, e.g. 'rlimit NOFILE 1024', found " + Describe(name));
    return;
  }
  const ResourceEntry* resource = FindResource(name.text);
  if (resource == nullptr) {
    std::string hint = FindResource(Upper(name.text)) ? "resources are written in capitals: '" + Upper(name.text) + "'"
                                                      : Hint(name.text, ResourceNames());
    Fail(name.span, "unknown resource '" + name.text + "'", hint);
    return;
  }
  Next();
  for (const RlimitRule& earlier : context_.policy.rlimits) {
    if (earlier.resource == resource->resource) {
      Fail(keyword.span, "'rlimit " + std::string(resource->name) + "' appears twice",
           "the first is at " + earlier.span.ToString());
      return;
    }
  }
  RlimitRule rule;
  rule.resource = resource->resource;
  rule.span = keyword.span;
  if (AtStatementEnd()) {
    Fail(Peek().span, "'rlimit " + std::string(resource->name) + "' needs a soft limit, e.g. 'rlimit " +
                          std::string(resource->name) + " " +
                          (resource->unit == LimitUnit::kBytes ? "64M" : "1024") + "'");
    return;
  }
  const SourceSpan soft_span = Peek().span;
  std::optional<uint64_t> soft = ParseLimitValue(*resource);
  if (!soft) return;
  rule.soft = rule.hard = *soft;
  if (!AtStatementEnd()) {
    std::optional<uint64_t> hard = ParseLimitValue(*resource);
    if (!hard) return;
    rule.hard = *hard;
  }
  const std::string trailing = EndStatement();
  if (failed_) return;
  if (rule.soft > rule.hard) {
    Fail(soft_span,
         "soft limit " + FormatLimit(rule.resource, rule.soft) + " is above the hard limit " +
             FormatLimit(rule.resource, rule.hard),
         "the soft limit can only be raised up to the hard one");
    return;
  }
  rule.comment = TakeComment(trailing);
  context_.policy.rlimits.push_back(std::move(rule));
}

std::optional<uint64_t> FileParser::ParseLimitValue(const ResourceEntry& resource) {
  const Token& token = Next();
  const std::string name(resource.name);
  if (token.kind == TokenKind::kWord && token.text == "unlimited") return kRlimitUnlimited;
  if (token.kind == TokenKind::kSize && resource.unit != LimitUnit::kBytes) {
    Fail(token.span, "a size suffix does not apply to " + name + ", whose limit is " + std::string(UnitWords(resource.unit)),
         "write a plain number");
    return std::nullopt;
  }
  if (token.kind != TokenKind::kNumber && token.kind != TokenKind::kSize) {
    Fail(token.span, "expected a limit (a number" + std::string(resource.unit == LimitUnit::kBytes ? ", a size like 64M" : "") +
                         " or 'unlimited'), found " + Describe(token),
         token.kind == TokenKind::kWord && (token.text == "infinity" || token.text == "inf") ? "write 'unlimited'" : "");
    return std::nullopt;
  }
  if (token.value == kRlimitUnlimited || token.value > resource.max) {
    Fail(token.span, "limit " + token.text + " is out of range for " + name,
         resource.max != kRlimitUnlimited ? name + " goes from 0 to " + std::to_string(resource.max)
                                          : "write 'unlimited' for no limit");
    return std::nullopt;
  }
  return token.value;
}

}  // namespace sysfence::policy::parser_internal
