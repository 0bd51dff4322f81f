// SPDX-License-Identifier: Apache-2.0
#include "policy/printer.h"

#include <cstdio>
#include <map>

#include "policy/checks.h"
#include "policy/fs_access.h"
#include "policy/lexer.h"
#include "policy/privileges.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

std::string Hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Numbers: sign-extended 32-bit negatives as negative decimals (-1), small values in decimal,
// the rest in hex.
std::string FormatValue(uint64_t value) {
  if ((value >> 31) == 0x1ffffffffu) return "-" + std::to_string(~value + 1);
  if (value < 4096) return std::to_string(value);
  return Hex(value);
}

// True when `spelling` (as the parser recorded it) still reads back as `value`.
bool SpellingMeans(const std::string& spelling, uint64_t value) {
  if (spelling.empty()) return false;
  Diagnostics ignored;
  const std::vector<Token> tokens = Lex(spelling, "", ignored);
  if (!ignored.empty()) return false;
  uint64_t total = 0;
  size_t i = 0;
  while (true) {
    const Token& token = tokens[i];
    if (token.kind == TokenKind::kNumber) {
      total |= token.value;
      ++i;
    } else if (token.kind == TokenKind::kMinus && tokens[i + 1].kind == TokenKind::kNumber &&
               tokens[i + 1].value <= (uint64_t{1} << 63)) {
      total |= ~tokens[i + 1].value + 1;
      i += 2;
    } else if (token.kind == TokenKind::kWord) {
      const syscalls::Constant* constant = syscalls::FindConstant(token.text);
      if (constant == nullptr) return false;
      total |= constant->value;
      ++i;
    } else {
      return false;
    }
    if (tokens[i].kind == TokenKind::kEnd) break;
    if (tokens[i].kind != TokenKind::kPipe) return false;
    ++i;
  }
  return total == value;
}

std::string PrintValue(uint64_t value, const std::string& spelling) {
  return SpellingMeans(spelling, value) ? spelling : FormatValue(value);
}

std::string PrintMask(uint64_t mask, const std::string& spelling) {
  return SpellingMeans(spelling, mask) ? spelling : Hex(mask);
}

std::string_view OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
    case CompareOp::kMaskedEq: return "==";
  }
  return "==";
}

class ConditionPrinter {
 public:
  ConditionPrinter(std::vector<std::string> syscalls, std::vector<Arch> arches)
      : syscalls_(std::move(syscalls)), arches_(std::move(arches)) {}

  std::string Print(const Condition& condition) {
    switch (condition.kind) {
      case Condition::Kind::kCompare: return PrintCompare(condition.compare, false);
      case Condition::Kind::kNot:
        if (condition.children.size() == 1 && condition.children[0].kind == Condition::Kind::kCompare &&
            condition.children[0].compare.op == CompareOp::kMaskedEq) {
          return PrintCompare(condition.children[0].compare, true);
        }
        return "!(" + (condition.children.empty() ? std::string() : Print(condition.children[0])) + ")";
      case Condition::Kind::kAnd:
      case Condition::Kind::kOr: {
        if (IsSet(condition)) return PrintSet(condition);
        std::string out;
        const std::string_view joiner = condition.kind == Condition::Kind::kAnd ? " && " : " || ";
        for (size_t i = 0; i < condition.children.size(); ++i) {
          if (i != 0) out += joiner;
          const Condition& child = condition.children[i];
          const bool compound = (child.kind == Condition::Kind::kAnd || child.kind == Condition::Kind::kOr) &&
                                !IsSet(child);
          out += compound ? "(" + Print(child) + ")" : Print(child);
        }
        return out;
      }
    }
    return {};
  }

 private:
  // An `||` of two or more `==` on one argument prints as `x in {...}`.
  static bool IsSet(const Condition& condition) {
    if (condition.kind != Condition::Kind::kOr || condition.children.size() < 2) return false;
    for (const Condition& child : condition.children) {
      if (child.kind != Condition::Kind::kCompare || child.compare.op != CompareOp::kEq ||
          child.compare.arg != condition.children[0].compare.arg ||
          child.compare.arg_name != condition.children[0].compare.arg_name) {
        return false;
      }
    }
    return true;
  }

  std::string PrintSet(const Condition& condition) {
    std::string out = ArgName(condition.children[0].compare) + " in {";
    for (size_t i = 0; i < condition.children.size(); ++i) {
      if (i != 0) out += ", ";
      out += PrintValue(condition.children[i].compare.value, condition.children[i].compare.value_spelling);
    }
    return out + "}";
  }

  std::string PrintCompare(const Comparison& compare, bool negated) {
    if (compare.op == CompareOp::kMaskedEq) {
      return "(" + ArgName(compare) + " & " + PrintMask(compare.mask, compare.mask_spelling) + ") " +
             (negated ? "!=" : "==") + " " + PrintValue(compare.value, compare.value_spelling);
    }
    return ArgName(compare) + " " + std::string(OpText(compare.op)) + " " +
           PrintValue(compare.value, compare.value_spelling);
  }

  // A named argument (resolved per ABI) prints as its name; a position as the name that means it on
  // every ABI of the rule, or as argN.
  const std::string& ArgName(const Comparison& compare) {
    if (!compare.arg_name.empty()) return compare.arg_name;
    const int index = compare.arg;
    auto it = names_.find(index);
    if (it == names_.end()) it = names_.emplace(index, ArgumentDisplayName(index, syscalls_, arches_)).first;
    return it->second;
  }

  std::vector<std::string> syscalls_;
  std::vector<Arch> arches_;
  std::map<int, std::string> names_;
};

void PrintComment(const std::string& comment, std::string& out) {
  if (comment.empty()) return;
  size_t start = 0;
  while (true) {
    const size_t end = comment.find('\n', start);
    std::string_view line = std::string_view(comment).substr(start, end == std::string::npos ? end : end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    out += line.empty() ? "#\n" : "# " + std::string(line) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

std::string PrintPath(const std::string& path) {
  bool plain = !path.empty() && path.front() == '/';
  for (char c : path) {
    if (c == ' ' || c == '\t' || c == '#' || c == '"' || c == '\\' || c == '\r' || c == '\v' || c == '\f') {
      plain = false;
    }
  }
  if (plain) return path;
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ArchList(const std::vector<Arch>& arches) {
  std::string out;
  for (Arch arch : arches) {
    if (!out.empty()) out += ' ';
    out += std::string(ArchName(arch));
  }
  return out;
}

// The caps, unshare and rlimit lines, as one block after the rules, each with its comment.
void PrintPrivileges(const Policy& policy, std::string& out) {
  const std::vector<std::string> lines = PrivilegeLines(policy);
  std::vector<const std::string*> comments;
  if (policy.caps) comments.push_back(&policy.caps->comment);
  if (policy.unshare) comments.push_back(&policy.unshare->comment);
  for (const RlimitRule& rlimit : policy.rlimits) comments.push_back(&rlimit.comment);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == 0 || !comments[i]->empty()) out += "\n";
    PrintComment(*comments[i], out);
    out += lines[i] + "\n";
  }
}

}  // namespace

std::string PrintCondition(const Condition& condition, const std::vector<std::string>& syscalls,
                           const std::vector<Arch>& arches) {
  return ConditionPrinter(syscalls, arches).Print(condition);
}

std::string PrintFsRule(const FsRule& rule) {
  std::string out = "fs";
  for (std::string_view word : FsAccessToWords(rule.access)) out += " " + std::string(word);
  for (const std::string& path : rule.paths) out += " " + PrintPath(path);
  return out;
}

std::string PrintNetRule(const NetRule& rule) {
  return std::string(rule.kind == NetRule::Kind::kBind ? "net bind tcp " : "net connect tcp ") +
         std::to_string(rule.port);
}

std::string PrintRule(const Rule& rule, const std::vector<Arch>& arches) {
  std::string out = rule.action.ToPolicyText();
  for (const std::string& target : rule.targets) out += " " + target;
  if (!rule.only_arches.empty()) out += " on " + ArchList(rule.only_arches);
  if (rule.condition) {
    out += " if " + PrintCondition(*rule.condition, ExpandTargets(rule), arches.empty() ? rule.only_arches : arches);
  }
  return out;
}

std::string PrintPolicy(const Policy& policy) {
  std::string out;
  if (!policy.comment.empty()) {
    PrintComment(policy.comment, out);
    out += "\n";
  }
  out += "arch " + ArchList(policy.arches) + "\n";
  out += "default " + policy.default_action.ToPolicyText() + "\n";
  out += "badarch " + policy.badarch_action.ToPolicyText() + "\n";
  if (policy.unknown_follows_default) {
    out += "unknown default\n";
  } else if (policy.unknown_action) {
    out += "unknown " + policy.unknown_action->ToPolicyText() + "\n";
  }
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& rule = policy.rules[i];
    if (i == 0 || !rule.comment.empty()) out += "\n";
    PrintComment(rule.comment, out);
    out += PrintRule(rule, RuleArches(policy, rule)) + "\n";
  }
  for (size_t i = 0; i < policy.fs_rules.size(); ++i) {
    const FsRule& fs = policy.fs_rules[i];
    if (i == 0 || !fs.comment.empty()) out += "\n";
    PrintComment(fs.comment, out);
    out += PrintFsRule(fs) + "\n";
  }
  for (size_t i = 0; i < policy.net_rules.size();) {
    const NetRule& first = policy.net_rules[i];
    if (i == 0 || !first.comment.empty()) out += "\n";
    PrintComment(first.comment, out);
    out += first.kind == NetRule::Kind::kBind ? "net bind tcp" : "net connect tcp";
    size_t j = i;
    // Ports of one kind share a line until a rule with its own comment starts a new one.
    while (j < policy.net_rules.size() && policy.net_rules[j].kind == first.kind &&
           (j == i || policy.net_rules[j].comment.empty())) {
      out += " " + std::to_string(policy.net_rules[j].port);
      ++j;
    }
    out += "\n";
    i = j;
  }
  PrintPrivileges(policy, out);
  return out;
}

}  // namespace sysfence::policy
