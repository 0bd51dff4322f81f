// SPDX-License-Identifier: Apache-2.0
#include "analyze/elf_file.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sysfence::analyze {
namespace {

// Reads a trivially copyable T at `offset` of `bytes`, or nullopt when it does not fit.
template <typename T>
std::optional<T> ReadStruct(std::span<const uint8_t> bytes, uint64_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// True when [offset, offset + size) lies within a file of `file_size` bytes.
bool Fits(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

}  // namespace

std::string MachineName(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return fmt::format("machine {}", machine);
  }
}

Error ElfFile::Corrupt(uint64_t offset, const std::string& what) const {
  return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: offset {:#x}: {}", path_, offset, what));
}

Result<ElfFile> ElfFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return MakeError(ErrorCode::kOs, fmt::format("{}: read failed", path));
  return Parse(std::move(bytes), path);
}

Result<std::string> ElfFile::ReadBuildId(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  auto read_at = [&](uint64_t offset, void* out, size_t size) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(in.read(static_cast<char*>(out), static_cast<std::streamsize>(size)));
  };
  Elf64_Ehdr header;
  if (!read_at(0, &header, sizeof header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    auto full = Load(path);  // for its precise error message
    if (!full.ok()) return full.error();
    return full->build_id();
  }
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    if (!read_at(header.e_shoff + i * sizeof(Elf64_Shdr), &section, sizeof section)) break;
    if (section.sh_type != SHT_NOTE || section.sh_size > 4096) continue;
    ElfFile notes;
    notes.path_ = path;
    notes.bytes_.resize(section.sh_size);
    if (!read_at(section.sh_offset, notes.bytes_.data(), section.sh_size)) break;
    notes.ParseNotes(ElfSection{"", section.sh_type, 0, 0, 0, section.sh_size, 0, 0});
    if (!notes.build_id_.empty()) return notes.build_id_;
  }
  return std::string();
}

Result<ElfFile> ElfFile::Parse(std::vector<uint8_t> bytes, const std::string& path) {
  ElfFile file;
  file.path_ = path;
  file.bytes_ = std::move(bytes);
  if (auto parsed = file.ParseHeaders(); !parsed.ok()) return parsed.error();
  return file;
}

Result<std::string> ElfFile::StringAt(const ElfSection& strtab, uint64_t offset) const {
  if (offset >= strtab.size) return Corrupt(strtab.offset, fmt::format("string offset {} past {}", offset, strtab.name));
  const uint64_t start = strtab.offset + offset;
  const uint64_t end = strtab.offset + strtab.size;
  const void* nul = std::memchr(bytes_.data() + start, 0, end - start);
  if (nul == nullptr) return Corrupt(start, "unterminated string in " + strtab.name);
  return std::string(reinterpret_cast<const char*>(bytes_.data() + start));
}

Result<void> ElfFile::ParseHeaders() {
  const uint64_t size = bytes_.size();
  if (size < EI_NIDENT || std::memcmp(bytes_.data(), ELFMAG, SELFMAG) != 0) {
    return MakeError(ErrorCode::kInvalidInput, path_ + ": not an ELF file (no \\x7fELF magic at offset 0)");
  }
  if (bytes_[EI_CLASS] != ELFCLASS64) {
    return MakeError(ErrorCode::kInvalidInput,
                     path_ + ": offset 0x4: a 32-bit ELF file; sysfence analyzes 64-bit programs only");
  }
  if (bytes_[EI_DATA] != ELFDATA2LSB) {
    return MakeError(ErrorCode::kInvalidInput, path_ + ": offset 0x5: a big-endian ELF file is not supported");
  }
  auto header = ReadStruct<Elf64_Ehdr>(bytes_, 0);
  if (!header) return Corrupt(size, "truncated ELF header");
  machine_ = header->e_machine;
  type_ = header->e_type;
  entry_ = header->e_entry;
  if (type_ != ET_EXEC && type_ != ET_DYN) return Corrupt(0x10, fmt::format("ELF type {} is neither a program nor a shared library", type_));
  // Program headers: the interpreter.
  if (header->e_phoff != 0 && header->e_phentsize == sizeof(Elf64_Phdr)) {
    if (!Fits(header->e_phoff, uint64_t{header->e_phnum} * sizeof(Elf64_Phdr), size)) {
      return Corrupt(header->e_phoff, "program headers past the end of the file (truncated?)");
    }
    for (uint16_t i = 0; i < header->e_phnum; ++i) {
      const auto phdr = *ReadStruct<Elf64_Phdr>(bytes_, header->e_phoff + i * sizeof(Elf64_Phdr));
      if (phdr.p_type != PT_INTERP) continue;
      if (!Fits(phdr.p_offset, phdr.p_filesz, size) || phdr.p_filesz == 0) return Corrupt(phdr.p_offset, "PT_INTERP past the end of the file");
      interpreter_.assign(reinterpret_cast<const char*>(bytes_.data() + phdr.p_offset), phdr.p_filesz);
      interpreter_.resize(std::strlen(interpreter_.c_str()));
    }
  }
  if (header->e_shoff == 0 || header->e_shnum == 0) {
    return Corrupt(0x28, "no section headers: sysfence needs them to find code, symbols and relocations");
  }
  if (header->e_shentsize != sizeof(Elf64_Shdr) ||
      !Fits(header->e_shoff, uint64_t{header->e_shnum} * sizeof(Elf64_Shdr), size)) {
    return Corrupt(header->e_shoff, "section headers past the end of the file (truncated?)");
  }
  std::vector<Elf64_Shdr> raw(header->e_shnum);
  for (uint16_t i = 0; i < header->e_shnum; ++i) raw[i] = *ReadStruct<Elf64_Shdr>(bytes_, header->e_shoff + i * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr& s : raw) {
    ElfSection section{"", s.sh_type, s.sh_flags, s.sh_addr, s.sh_offset, s.sh_size, s.sh_link, s.sh_entsize};
    if (s.sh_type != SHT_NOBITS && !Fits(s.sh_offset, s.sh_size, size)) {
      return Corrupt(s.sh_offset, fmt::format("section of {} bytes past the end of the file (truncated?)", s.sh_size));
    }
    sections_.push_back(section);
  }
  if (header->e_shstrndx < sections_.size()) {
    const ElfSection names = sections_[header->e_shstrndx];
    for (size_t i = 0; i < sections_.size(); ++i) {
      auto name = StringAt(names, raw[i].sh_name);
      if (!name.ok()) return name.error();
      sections_[i].name = *name;
    }
  }
  for (const ElfSection& section : sections_) {
    if (section.type == SHT_SYMTAB) {
      has_symtab_ = true;
      if (auto parsed = ParseSymbols(section, false, &symbols_); !parsed.ok()) return parsed;
    } else if (section.type == SHT_DYNSYM) {
      if (auto parsed = ParseSymbols(section, true, &dynsyms_); !parsed.ok()) return parsed;
    } else if (section.type == SHT_DYNAMIC) {
      if (auto parsed = ParseDynamic(section); !parsed.ok()) return parsed;
    } else if (section.type == SHT_NOTE) {
      ParseNotes(section);
    }
  }
  for (const ElfSection& section : sections_) {
    if (section.type == SHT_RELA || section.type == SHT_REL) {
      if (auto parsed = ParseRelocations(section); !parsed.ok()) return parsed;
    }
  }
  symbols_.insert(symbols_.end(), dynsyms_.begin(), dynsyms_.end());
  ReadInitArrays();
  return Ok();
}

Result<void> ElfFile::ParseSymbols(const ElfSection& table, bool dynamic, std::vector<ElfSymbol>* out) {
  if (table.link >= sections_.size()) return Corrupt(table.offset, "symbol table links to no string table");
  if (table.entsize != sizeof(Elf64_Sym)) return Corrupt(table.offset, "symbol table entry size is not 24");
  const ElfSection strtab = sections_[table.link];
  const uint64_t count = table.size / sizeof(Elf64_Sym);
  out->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t offset = table.offset + i * sizeof(Elf64_Sym);
    const auto sym = *ReadStruct<Elf64_Sym>(bytes_, offset);
    ElfSymbol symbol;
    if (sym.st_name != 0) {
      auto name = StringAt(strtab, sym.st_name);
      if (!name.ok()) return name.error();
      symbol.name = std::move(*name);
    }
    symbol.value = sym.st_value;
    symbol.size = sym.st_size;
    symbol.type = ELF64_ST_TYPE(sym.st_info);
    symbol.bind = ELF64_ST_BIND(sym.st_info);
    symbol.shndx = sym.st_shndx;
    symbol.dynamic = dynamic;
    out->push_back(std::move(symbol));
  }
  return Ok();
}

Result<void> ElfFile::ParseRelocations(const ElfSection& section) {
  const bool rela = section.type == SHT_RELA;
  const uint64_t entry_size = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
  if (section.size % entry_size != 0) return Corrupt(section.offset, section.name + ": size is not a whole number of entries");
  const std::vector<ElfSymbol>* table = nullptr;
  if (section.link < sections_.size()) {
    table = sections_[section.link].type == SHT_DYNSYM ? &dynsyms_ : &symbols_;
  }
  for (uint64_t offset = section.offset; offset < section.offset + section.size; offset += entry_size) {
    ElfRelocation reloc;
    uint64_t info = 0;
    if (rela) {
      const auto entry = *ReadStruct<Elf64_Rela>(bytes_, offset);
      reloc.offset = entry.r_offset;
      info = entry.r_info;
      reloc.addend = entry.r_addend;
    } else {
      const auto entry = *ReadStruct<Elf64_Rel>(bytes_, offset);
      reloc.offset = entry.r_offset;
      info = entry.r_info;
    }
    reloc.type = ELF64_R_TYPE(info);
    const uint64_t index = ELF64_R_SYM(info);
    if (index != 0) {
      if (table == nullptr || index >= table->size()) return Corrupt(offset, section.name + ": symbol index out of range");
      const ElfSymbol& symbol = (*table)[index];
      reloc.symbol = symbol.name;
      reloc.symbol_defined = symbol.shndx != SHN_UNDEF;
      reloc.symbol_value = symbol.value;
      reloc.symbol_type = symbol.type;
      reloc.weak = symbol.bind == STB_WEAK;
    }
    relocations_.push_back(std::move(reloc));
  }
  return Ok();
}

Result<void> ElfFile::ParseDynamic(const ElfSection& section) {
  const ElfSection* strtab = section.link < sections_.size() ? &sections_[section.link] : nullptr;
  std::vector<uint64_t> needed_offsets;
  std::optional<uint64_t> soname, rpath, runpath;
  for (uint64_t offset = section.offset; offset + sizeof(Elf64_Dyn) <= section.offset + section.size;
       offset += sizeof(Elf64_Dyn)) {
    const auto dyn = *ReadStruct<Elf64_Dyn>(bytes_, offset);
    if (dyn.d_tag == DT_NULL) break;
    switch (dyn.d_tag) {
      case DT_NEEDED: needed_offsets.push_back(dyn.d_un.d_val); break;
      case DT_SONAME: soname = dyn.d_un.d_val; break;
      case DT_RPATH: rpath = dyn.d_un.d_val; break;
      case DT_RUNPATH: runpath = dyn.d_un.d_val; break;
      case DT_INIT: init_ = dyn.d_un.d_ptr; break;
      case DT_FINI: fini_ = dyn.d_un.d_ptr; break;
      default: break;
    }
  }
  if (strtab == nullptr) {
    if (!needed_offsets.empty()) return Corrupt(section.offset, ".dynamic links to no string table");
    return Ok();
  }
  for (uint64_t name_offset : needed_offsets) {
    auto name = StringAt(*strtab, name_offset);
    if (!name.ok()) return name.error();
    needed_.push_back(*name);
  }
  for (auto [value, out] : {std::pair{soname, &soname_}, {rpath, &rpath_}, {runpath, &runpath_}}) {
    if (!value) continue;
    auto text = StringAt(*strtab, *value);
    if (!text.ok()) return text.error();
    *out = *text;
  }
  return Ok();
}

void ElfFile::ParseNotes(const ElfSection& section) {
  uint64_t offset = section.offset;
  const uint64_t end = section.offset + section.size;
  while (offset + sizeof(Elf64_Nhdr) <= end) {
    const auto note = *ReadStruct<Elf64_Nhdr>(bytes_, offset);
    const uint64_t name_size = (uint64_t{note.n_namesz} + 3) & ~uint64_t{3};
    const uint64_t desc_size = (uint64_t{note.n_descsz} + 3) & ~uint64_t{3};
    const uint64_t desc = offset + sizeof(Elf64_Nhdr) + name_size;
    if (desc + desc_size > end) return;
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
        std::memcmp(bytes_.data() + offset + sizeof(Elf64_Nhdr), "GNU", 4) == 0) {
      build_id_.clear();
      for (uint32_t i = 0; i < note.n_descsz; ++i) build_id_ += fmt::format("{:02x}", bytes_[desc + i]);
    }
    offset = desc + desc_size;
  }
}

void ElfFile::ReadInitArrays() {
  for (const ElfSection& section : sections_) {
    if (section.type != SHT_INIT_ARRAY && section.type != SHT_FINI_ARRAY && section.type != SHT_PREINIT_ARRAY) continue;
    for (uint64_t addr = section.addr; addr + 8 <= section.addr + section.size; addr += 8) {
      uint64_t value = U64At(addr).value_or(0);
      // In position-independent files the slot holds 0 and a relative relocation the address.
      for (const ElfRelocation& reloc : relocations_) {
        if (reloc.offset == addr && reloc.symbol.empty()) value = static_cast<uint64_t>(reloc.addend);
        if (reloc.offset == addr && reloc.symbol_defined) value = reloc.symbol_value + reloc.addend;
      }
      if (value != 0 && value != ~uint64_t{0}) init_fini_.push_back(value);
    }
  }
}

const ElfSection* ElfFile::SectionAt(uint64_t addr) const {
  for (const ElfSection& section : sections_) {
    if ((section.flags & SHF_ALLOC) != 0 && addr >= section.addr && addr - section.addr < section.size) return &section;
  }
  return nullptr;
}

bool ElfFile::IsCode(uint64_t addr) const {
  const ElfSection* section = SectionAt(addr);
  return section != nullptr && (section->flags & SHF_EXECINSTR) != 0;
}

std::span<const uint8_t> ElfFile::BytesAt(uint64_t addr, uint64_t size) const {
  const ElfSection* section = SectionAt(addr);
  if (section == nullptr || section->type == SHT_NOBITS) return {};
  const uint64_t within = addr - section->addr;
  if (size > section->size - within) return {};
  return std::span<const uint8_t>(bytes_).subspan(section->offset + within, size);
}

std::optional<uint64_t> ElfFile::U64At(uint64_t addr) const {
  auto bytes = BytesAt(addr, 8);
  if (bytes.empty()) return std::nullopt;
  uint64_t value;
  std::memcpy(&value, bytes.data(), 8);
  return value;
}

}  // namespace sysfence::analyze
