// SPDX-License-Identifier: Apache-2.0
// A small, careful reader of 64-bit little-endian ELF files (the views static analysis needs):
// sections, symbols, relocations, the dynamic section, the build-id note and the interpreter.
// Every offset and size is checked against the file: a truncated or corrupt file is an error
// naming the offset, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace sysfence::analyze {

/// One section header, with its name resolved.
struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t entsize = 0;
};

/// One symbol of .symtab or .dynsym.
struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;   ///< STT_*
  uint8_t bind = 0;   ///< STB_*
  uint16_t shndx = 0; ///< SHN_UNDEF for imports
  bool dynamic = false;  ///< from .dynsym (visible to other modules)
};

/// One relocation (REL or RELA), with its symbol's name when it has one.
struct ElfRelocation {
  uint64_t offset = 0;
  uint32_t type = 0;
  int64_t addend = 0;
  std::string symbol;     ///< empty for relative relocations
  bool symbol_defined = false;  ///< the symbol is defined in this file
  uint64_t symbol_value = 0;
  uint8_t symbol_type = 0;
  bool weak = false;
};

/// An ELF file read into memory. Views (Bytes, ReadAt) stay valid as long as the object lives.
class ElfFile {
 public:
  /// Reads and parses `path`. Errors: kNotFound (no file), kInvalidInput (not ELF, truncated,
  /// 32-bit or big-endian, corrupt table), each naming the path and the offset.
  static Result<ElfFile> Load(const std::string& path);
  /// Parses `bytes` (named `path` in messages).
  static Result<ElfFile> Parse(std::vector<uint8_t> bytes, const std::string& path);

  /// Reads only the build-id note of `path` (for a cache lookup without parsing the whole file):
  /// "" when the file has none. Errors as Load's.
  static Result<std::string> ReadBuildId(const std::string& path);

  const std::string& path() const { return path_; }
  uint16_t machine() const { return machine_; }  ///< EM_X86_64, EM_AARCH64, ...
  uint16_t type() const { return type_; }         ///< ET_EXEC, ET_DYN
  uint64_t entry() const { return entry_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }
  const std::vector<ElfRelocation>& relocations() const { return relocations_; }
  const std::vector<std::string>& needed() const { return needed_; }
  const std::string& soname() const { return soname_; }
  const std::string& rpath() const { return rpath_; }
  const std::string& runpath() const { return runpath_; }
  const std::string& interpreter() const { return interpreter_; }
  const std::string& build_id() const { return build_id_; }  ///< hex, empty without a note
  bool has_symtab() const { return has_symtab_; }  ///< false: stripped (only .dynsym)
  std::optional<uint64_t> init_function() const { return init_; }  ///< DT_INIT
  std::optional<uint64_t> fini_function() const { return fini_; }  ///< DT_FINI
  /// Function pointers of .init_array, .fini_array and .preinit_array (relocations applied for
  /// relative entries).
  const std::vector<uint64_t>& init_fini_pointers() const { return init_fini_; }

  /// The section containing virtual address `addr`, or nullptr.
  const ElfSection* SectionAt(uint64_t addr) const;
  /// True when `addr` lies in an allocated, executable section.
  bool IsCode(uint64_t addr) const;
  /// The file bytes of `size` bytes at virtual address `addr` (from a section with file contents),
  /// or an empty span when they are not all in the file.
  std::span<const uint8_t> BytesAt(uint64_t addr, uint64_t size) const;
  /// A little-endian 64-bit value at virtual address `addr`.
  std::optional<uint64_t> U64At(uint64_t addr) const;
  /// The raw file contents.
  std::span<const uint8_t> data() const { return bytes_; }

 private:
  Result<void> ParseHeaders();
  Result<void> ParseSymbols(const ElfSection& table, bool dynamic, std::vector<ElfSymbol>* out);
  Result<void> ParseRelocations(const ElfSection& section);
  Result<void> ParseDynamic(const ElfSection& section);
  void ParseNotes(const ElfSection& section);
  void ReadInitArrays();
  Result<std::string> StringAt(const ElfSection& strtab, uint64_t offset) const;
  Error Corrupt(uint64_t offset, const std::string& what) const;

  std::string path_;
  std::vector<uint8_t> bytes_;
  uint16_t machine_ = 0;
  uint16_t type_ = 0;
  uint64_t entry_ = 0;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
  std::vector<ElfSymbol> dynsyms_;
  std::vector<ElfRelocation> relocations_;
  std::vector<std::string> needed_;
  std::string soname_, rpath_, runpath_, interpreter_, build_id_;
  bool has_symtab_ = false;
  std::optional<uint64_t> init_, fini_;
  std::vector<uint64_t> init_fini_;
};

/// The name of ELF machine `machine` ("x86_64", "aarch64", "i386", or "machine 243").
std::string MachineName(uint16_t machine);

}  // namespace sysfence::analyze
