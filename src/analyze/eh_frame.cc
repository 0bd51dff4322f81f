// SPDX-License-Identifier: Apache-2.0
#include "analyze/eh_frame.h"

#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <span>

namespace sysfence::analyze {
namespace {

// DWARF pointer encodings (DW_EH_PE_*), as the LSB and gABI define them.
constexpr uint8_t kOmit = 0xff;
constexpr uint8_t kFormatMask = 0x0f;
constexpr uint8_t kApplicationMask = 0x70;
constexpr uint8_t kPcRelative = 0x10;

// A bounded reader over the section's bytes, tracking the virtual address of its position.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, uint64_t base) : bytes_(bytes), base_(base) {}
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  uint64_t address() const { return base_ + pos_; }

  template <typename T>
  T Fixed() {
    T value{};
    if (pos_ + sizeof(T) > bytes_.size()) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  uint64_t Uleb() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = Fixed<uint8_t>();
      if (!ok_) return 0;
      value |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }
  int64_t Sleb() {
    int64_t value = 0;
    int shift = 0;
    uint8_t byte = 0;
    do {
      byte = Fixed<uint8_t>();
      if (!ok_ || shift >= 64) {
        ok_ = false;
        return 0;
      }
      value |= int64_t{byte & 0x7f} << shift;
      shift += 7;
    } while ((byte & 0x80) != 0);
    if (shift < 64 && (byte & 0x40) != 0) value |= -(int64_t{1} << shift);
    return value;
  }
  std::string CString() {
    std::string text;
    while (ok_) {
      const char c = static_cast<char>(Fixed<uint8_t>());
      if (!ok_ || c == '\0') break;
      text += c;
    }
    return text;
  }
  // Reads a pointer in `encoding`; `apply` adds the pc-relative base (not for lengths).
  std::optional<uint64_t> Encoded(uint8_t encoding, bool apply) {
    const uint64_t field = address();
    uint64_t value = 0;
    switch (encoding & kFormatMask) {
      case 0x00: value = Fixed<uint64_t>(); break;
      case 0x01: value = Uleb(); break;
      case 0x02: value = Fixed<uint16_t>(); break;
      case 0x03: value = Fixed<uint32_t>(); break;
      case 0x04: value = Fixed<uint64_t>(); break;
      case 0x09: value = static_cast<uint64_t>(Sleb()); break;
      case 0x0a: value = static_cast<uint64_t>(int64_t{Fixed<int16_t>()}); break;
      case 0x0b: value = static_cast<uint64_t>(int64_t{Fixed<int32_t>()}); break;
      case 0x0c: value = Fixed<uint64_t>(); break;
      default: ok_ = false; return std::nullopt;
    }
    if (!ok_) return std::nullopt;
    if (apply && (encoding & kApplicationMask) == kPcRelative) value += field;
    return value;
  }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t base_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The FDE pointer encoding a CIE at `pos` declares (absolute pointers when it declares none).
std::optional<uint8_t> CiePointerEncoding(Reader reader, size_t pos) {
  reader.Seek(pos);
  uint64_t length = reader.Fixed<uint32_t>();
  if (length == 0xffffffff) length = reader.Fixed<uint64_t>();
  if (reader.Fixed<uint32_t>() != 0) return std::nullopt;  // not a CIE
  const uint8_t version = reader.Fixed<uint8_t>();
  const std::string augmentation = reader.CString();
  if (augmentation.find("eh") != std::string::npos) reader.Fixed<uint64_t>();
  reader.Uleb();  // code alignment
  reader.Sleb();  // data alignment
  if (version == 1) {
    reader.Fixed<uint8_t>();
  } else {
    reader.Uleb();
  }
  uint8_t encoding = 0;
  if (!augmentation.empty() && augmentation[0] == 'z') {
    reader.Uleb();  // augmentation data length
    for (size_t i = 1; i < augmentation.size() && reader.ok(); ++i) {
      const char c = augmentation[i];
      if (c == 'R') {
        encoding = reader.Fixed<uint8_t>();
      } else if (c == 'P') {
        const uint8_t personality = reader.Fixed<uint8_t>();
        reader.Encoded(personality, false);
      } else if (c == 'L') {
        reader.Fixed<uint8_t>();
      } else if (c != 'S' && c != 'B') {
        break;  // unknown augmentation: what follows cannot be read, but 'R' came before it or not at all
      }
    }
  }
  if (!reader.ok()) return std::nullopt;
  return encoding;
}

}  // namespace

std::map<uint64_t, uint64_t> FunctionRangesFromEhFrame(const ElfFile& elf, std::string* warning) {
  std::map<uint64_t, uint64_t> ranges;
  for (const ElfSection& section : elf.sections()) {
    if (section.name != ".eh_frame" || section.type == 8 /* SHT_NOBITS */) continue;
    Reader reader(elf.data().subspan(section.offset, section.size), section.addr);
    std::map<size_t, std::optional<uint8_t>> cies;
    while (reader.ok() && reader.pos() + 4 <= section.size) {
      const size_t start = reader.pos();
      uint64_t length = reader.Fixed<uint32_t>();
      if (length == 0) break;  // terminator
      if (length == 0xffffffff) length = reader.Fixed<uint64_t>();
      const size_t body = reader.pos();
      if (!reader.ok() || length > section.size - body) {
        if (warning) *warning = fmt::format(".eh_frame: entry at offset {:#x} runs past the section", start);
        break;
      }
      const uint32_t cie_offset = reader.Fixed<uint32_t>();
      if (cie_offset != 0 && cie_offset <= body) {
        const size_t cie_pos = body - cie_offset;
        auto found = cies.find(cie_pos);
        if (found == cies.end()) found = cies.emplace(cie_pos, CiePointerEncoding(reader, cie_pos)).first;
        if (found->second && *found->second != kOmit) {
          const auto begin = reader.Encoded(*found->second, true);
          const auto size = reader.Encoded(*found->second & kFormatMask, false);
          if (begin && size && *size != 0) {
            auto& known = ranges[*begin];
            known = std::max(known, *size);
          }
        }
      }
      reader.Seek(body + length);
    }
  }
  return ranges;
}

}  // namespace sysfence::analyze
