// SPDX-License-Identifier: Apache-2.0
#include "bpf/text_assembler.h"

#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpf/assembler.h"
#include "bpf/instruction_text.h"
#include "bpf/opcodes.h"
#include "core/action.h"
#include "core/errno_names.h"

namespace sysfence::bpf {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  text = Trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint32_t> ParseU32(std::string_view text) {
  auto value = ParseUnsigned(text);
  if (!value || *value > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

bool IsLabelChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$'; }

std::vector<std::string_view> SplitOperands(std::string_view text) {
  std::vector<std::string_view> parts;
  text = Trim(text);
  if (text.empty()) return parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      parts.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

std::optional<uint32_t> ParseFieldOffset(std::string_view field) {
  field = Trim(field);
  if (auto number = ParseU32(field)) return number;
  for (uint32_t offset = 0; offset < sizeof(SeccompData); offset += 4) {
    if (SeccompFieldName(offset) == field) return offset;
  }
  // Short aliases people write by hand.
  if (field == "ip" || field == "instruction_pointer") return offset::kInstructionPointerLo;
  if (field.starts_with("args[") && field.size() == 7 && field[6] == ']' && field[5] >= '0' && field[5] <= '5') {
    return offset::ArgLo(field[5] - '0');
  }
  return std::nullopt;
}

std::optional<uint32_t> ParseActionValue(std::string_view text) {
  text = Trim(text);
  std::string_view keyword = text, argument;
  const size_t open = text.find('(');
  if (open != std::string_view::npos) {
    if (text.back() != ')') return std::nullopt;
    keyword = Trim(text.substr(0, open));
    argument = Trim(text.substr(open + 1, text.size() - open - 2));
  }
  auto kind = ActionKindFromKeyword(keyword);
  if (!kind) return std::nullopt;
  Action action{*kind, 0};
  if (!argument.empty()) {
    if (*kind != ActionKind::kErrno && *kind != ActionKind::kTrap && *kind != ActionKind::kTrace) return std::nullopt;
    if (auto number = ParseUnsigned(argument); number && *number <= 0xffff) {
      action.data = static_cast<uint16_t>(*number);
    } else if (auto err = ErrnoFromName(argument); err && *kind == ActionKind::kErrno) {
      action.data = static_cast<uint16_t>(*err);
    } else {
      return std::nullopt;
    }
  } else if (*kind == ActionKind::kErrno) {
    return std::nullopt;  // errno needs its value
  }
  return action.ToSeccompRet();
}

class LineAssembler {
 public:
  Result<Program> Run(std::string_view text) {
    size_t line_number = 0;
    while (!text.empty() || line_number == 0) {
      ++line_number;
      const size_t newline = text.find('\n');
      std::string_view line = text.substr(0, newline);
      text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
      if (auto error = Line(line)) {
        return MakeError(ErrorCode::kInvalidInput, "line " + std::to_string(line_number) + ": " + *error);
      }
      if (text.empty()) break;
    }
    if (assembler_.size() == 0) return MakeError(ErrorCode::kInvalidInput, "no instructions");
    auto program = assembler_.Finish();
    if (!program.ok()) {
      return MakeError(program.error().code, TranslateItem(program.error().message));
    }
    return program;
  }

 private:
  // Rewrites "instruction N: ..." from the Assembler into "line L: ...".
  std::string TranslateItem(const std::string& message) {
    const size_t colon = message.find(':');
    if (!message.starts_with("instruction ") || colon == std::string::npos) return message;
    auto index = ParseUnsigned(std::string_view(message).substr(12, colon - 12));
    if (!index || *index >= item_lines_.size()) return message;
    return "line " + std::to_string(item_lines_[*index]) + message.substr(colon);
  }

  Label LabelFor(std::string_view name) {
    auto it = labels_.find(std::string(name));
    if (it != labels_.end()) return it->second;
    Label label = assembler_.NewLabel(name);
    labels_.emplace(std::string(name), label);
    return label;
  }

  std::optional<std::string> Line(std::string_view line) {
    ++current_line_;
    if (size_t comment = line.find(';'); comment != std::string_view::npos) line = line.substr(0, comment);
    line = Trim(line);
    // Labels: "name:" prefixes (several allowed).
    while (true) {
      size_t end = 0;
      while (end < line.size() && IsLabelChar(line[end])) ++end;
      if (end == 0 || end >= line.size() || line[end] != ':') break;
      const std::string_view name = line.substr(0, end);
      if (bound_.count(std::string(name))) return "label '" + std::string(name) + "' defined twice";
      bound_.insert({std::string(name), true});
      assembler_.Bind(LabelFor(name));
      line = Trim(line.substr(end + 1));
    }
    if (line.empty()) return std::nullopt;
    size_t space = 0;
    while (space < line.size() && !std::isspace(static_cast<unsigned char>(line[space]))) ++space;
    std::string mnemonic(line.substr(0, space));
    for (char& c : mnemonic) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::vector<std::string_view> operands = SplitOperands(line.substr(space));
    item_lines_.push_back(current_line_);
    return Instruction(mnemonic, operands);
  }

  std::optional<std::string> Expect(const std::vector<std::string_view>& operands, size_t count,
                                    const std::string& mnemonic) {
    if (operands.size() == count) return std::nullopt;
    return "'" + mnemonic + "' takes " + std::to_string(count) + " operand" + (count == 1 ? "" : "s") + ", got " +
           std::to_string(operands.size());
  }

  // Parses "M[k]"; nullopt when `text` is not of that form.
  static std::optional<uint32_t> Memory(std::string_view text) {
    if (text.size() < 4 || (text[0] != 'M' && text[0] != 'm') || text[1] != '[' || text.back() != ']') {
      return std::nullopt;
    }
    return ParseU32(text.substr(2, text.size() - 3));
  }

  std::optional<std::string> Instruction(const std::string& mnemonic, const std::vector<std::string_view>& operands) {
    const std::string_view first = operands.empty() ? std::string_view() : operands[0];
    auto immediate = [&](std::string_view text) -> std::optional<uint32_t> {
      if (!text.starts_with('#')) return std::nullopt;
      return ParseU32(text.substr(1));
    };
    if (mnemonic == ".insn") {
      if (auto error = Expect(operands, 4, mnemonic)) return error;
      auto code = ParseU32(operands[0]);
      auto jt = ParseU32(operands[1]);
      auto jf = ParseU32(operands[2]);
      auto k = ParseU32(operands[3]);
      if (!code || *code > 0xffff || !jt || *jt > 255 || !jf || *jf > 255 || !k) {
        return "'.insn' needs CODE (16 bits), JT, JF (8 bits) and K (32 bits)";
      }
      assembler_.EmitRaw(bpf::Instruction{static_cast<uint16_t>(*code), static_cast<uint8_t>(*jt),
                                          static_cast<uint8_t>(*jf), *k});
      return std::nullopt;
    }
    if (mnemonic == "tax" || mnemonic == "txa" || mnemonic == "neg") {
      if (auto error = Expect(operands, 0, mnemonic)) return error;
      assembler_.Emit(Stmt(mnemonic == "tax" ? opcode::kTax : mnemonic == "txa" ? opcode::kTxa : opcode::kNeg));
      return std::nullopt;
    }
    if (mnemonic == "ld" || mnemonic == "ldx") {
      if (auto error = Expect(operands, 1, mnemonic)) return error;
      const bool x = mnemonic == "ldx";
      if (auto k = immediate(first)) {
        assembler_.Emit(Stmt(x ? opcode::kLdxImm : opcode::kLdImm, *k));
      } else if (first == "len") {
        assembler_.Emit(Stmt(x ? opcode::kLdxLen : opcode::kLdLen));
      } else if (auto cell = Memory(first)) {
        assembler_.Emit(Stmt(x ? opcode::kLdxMem : opcode::kLdMem, *cell));
      } else if (!x && first.size() >= 2 && first.front() == '[' && first.back() == ']') {
        auto field = ParseFieldOffset(first.substr(1, first.size() - 2));
        if (!field) return "unknown seccomp_data field " + std::string(first);
        assembler_.Emit(Stmt(opcode::kLdAbs, *field));
      } else {
        return "bad operand '" + std::string(first) + "' for '" + mnemonic + "' (#k, len, M[k]" +
               (x ? ")" : " or [field])");
      }
      return std::nullopt;
    }
    if (mnemonic == "st" || mnemonic == "stx") {
      if (auto error = Expect(operands, 1, mnemonic)) return error;
      auto cell = Memory(first);
      if (!cell) return "'" + mnemonic + "' needs M[k]";
      assembler_.Emit(Stmt(mnemonic == "st" ? opcode::kSt : opcode::kStx, *cell));
      return std::nullopt;
    }
    if (mnemonic == "ret") {
      if (auto error = Expect(operands, 1, mnemonic)) return error;
      if (first == "a" || first == "A") {
        assembler_.RetA();
      } else if (auto k = immediate(first)) {
        assembler_.Ret(*k);
      } else if (auto action = ParseActionValue(first)) {
        assembler_.Ret(*action);
      } else {
        return "bad return value '" + std::string(first) + "' (#k, a, or an action such as errno(EPERM))";
      }
      return std::nullopt;
    }
    if (mnemonic == "ja") {
      if (auto error = Expect(operands, 1, mnemonic)) return error;
      if (first.empty()) return "'ja' needs a label";
      assembler_.Ja(LabelFor(first));
      return std::nullopt;
    }
    for (uint16_t jump_op : {op::kJeq, op::kJgt, op::kJge, op::kJset}) {
      if (mnemonic != JumpMnemonic(jump_op)) continue;
      if (auto error = Expect(operands, 3, mnemonic)) return error;
      if (operands[1].empty() || operands[2].empty()) return "'" + mnemonic + "' needs two labels";
      if (first == "x" || first == "X") {
        assembler_.JumpIfX(jump_op, LabelFor(operands[1]), LabelFor(operands[2]));
      } else if (auto k = immediate(first)) {
        assembler_.JumpIf(jump_op, *k, LabelFor(operands[1]), LabelFor(operands[2]));
      } else {
        return "bad operand '" + std::string(first) + "' for '" + mnemonic + "' (#k or x)";
      }
      return std::nullopt;
    }
    for (uint16_t alu_op : {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr, op::kAnd, op::kLsh, op::kRsh, op::kXor,
                            op::kMod}) {
      if (mnemonic != AluMnemonic(alu_op)) continue;
      if (auto error = Expect(operands, 1, mnemonic)) return error;
      if (first == "x" || first == "X") {
        assembler_.Emit(Stmt(static_cast<uint16_t>(op::kAlu | alu_op | op::kX)));
      } else if (auto k = immediate(first)) {
        assembler_.Emit(Stmt(static_cast<uint16_t>(op::kAlu | alu_op | op::kK), *k));
      } else {
        return "bad operand '" + std::string(first) + "' for '" + mnemonic + "' (#k or x)";
      }
      return std::nullopt;
    }
    return "unknown mnemonic '" + mnemonic + "'";
  }

 private:
  Assembler assembler_;
  std::map<std::string, Label> labels_;
  std::map<std::string, bool> bound_;
  std::vector<size_t> item_lines_;
  size_t current_line_ = 0;
};

}  // namespace

Result<Program> ParseAssembly(std::string_view text) {
  LineAssembler assembler;
  return assembler.Run(text);
}

}  // namespace sysfence::bpf
