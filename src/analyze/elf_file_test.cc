// SPDX-License-Identifier: Apache-2.0
// The ELF reader on real Debian files, and on broken ones.
#include "analyze/elf_file.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "analyze/eh_frame.h"
#include "analyze/library_search.h"

namespace sysfence::analyze {
namespace {

std::vector<uint8_t> Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ElfFileTest, ReadsADebianProgram) {
  auto elf = ElfFile::Load("/bin/true");
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  EXPECT_EQ(elf->machine(), EM_X86_64);
  EXPECT_EQ(elf->interpreter(), "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(elf->needed(), std::vector<std::string>{"libc.so.6"});
  EXPECT_EQ(elf->build_id().size(), 40u);
  EXPECT_FALSE(elf->has_symtab()) << "Debian strips its programs";
  EXPECT_TRUE(elf->IsCode(elf->entry()));
  EXPECT_FALSE(elf->init_fini_pointers().empty());
}

TEST(ElfFileTest, ReadsLibcExportsAndRelocations) {
  auto elf = ElfFile::Load("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(elf.ok());
  EXPECT_EQ(elf->soname(), "libc.so.6");
  bool getpid = false;
  for (const ElfSymbol& s : elf->symbols()) getpid |= s.dynamic && s.name == "getpid" && s.shndx != SHN_UNDEF;
  EXPECT_TRUE(getpid);
  EXPECT_FALSE(elf->relocations().empty());
}

TEST(ElfFileTest, EhFrameGivesFunctionRangesMatchingSymbols) {
  auto elf = ElfFile::Load("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(elf.ok());
  std::string warning;
  const auto ranges = FunctionRangesFromEhFrame(*elf, &warning);
  EXPECT_TRUE(warning.empty()) << warning;
  EXPECT_GT(ranges.size(), 2000u);
  size_t matched = 0, checked = 0;
  for (const ElfSymbol& s : elf->symbols()) {
    if (!s.dynamic || s.type != STT_FUNC || s.size == 0 || s.name.starts_with("__")) continue;
    ++checked;
    auto it = ranges.find(s.value);
    if (it != ranges.end() && it->second == s.size) ++matched;
  }
  EXPECT_GT(matched * 10, checked * 9) << matched << " of " << checked;
}

TEST(ElfFileTest, BrokenFilesAreErrorsNamingWhereAndWhy) {
  const std::vector<uint8_t> good = Bytes("/bin/true");
  auto not_elf = ElfFile::Parse({'h', 'i', '\n'}, "x");
  ASSERT_FALSE(not_elf.ok());
  EXPECT_EQ(not_elf.error().message, "x: not an ELF file (no \\x7fELF magic at offset 0)");
  auto truncated = ElfFile::Parse({good.begin(), good.begin() + 30}, "t");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("truncated ELF header"), std::string::npos);
  auto half = ElfFile::Parse({good.begin(), good.begin() + static_cast<long>(good.size() / 2)}, "h");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.error().message.find("offset 0x"), std::string::npos) << half.error().message;
  std::vector<uint8_t> big_endian = good;
  big_endian[EI_DATA] = ELFDATA2MSB;
  EXPECT_FALSE(ElfFile::Parse(big_endian, "b").ok());
  std::vector<uint8_t> no_sections = good;
  std::fill(no_sections.begin() + 0x28, no_sections.begin() + 0x30, 0);  // e_shoff = 0
  auto stripped_headers = ElfFile::Parse(no_sections, "s");
  ASSERT_FALSE(stripped_headers.ok());
  EXPECT_NE(stripped_headers.error().message.find("no section headers"), std::string::npos);
  EXPECT_EQ(ElfFile::Load("/no/such/file").error().code, ErrorCode::kNotFound);
}

TEST(LibrarySearchTest, FindsLibcLikeTheLoader) {
  const auto cache = ReadLdCache("/etc/ld.so.cache");
  EXPECT_TRUE(cache.contains("libc.so.6"));
  const std::string found = FindLibrary("libc.so.6", "/bin/true", "", "", EM_X86_64, LibrarySearch{}, cache);
  EXPECT_TRUE(found.ends_with("/libc.so.6")) << found;
  EXPECT_EQ(FindLibrary("libc.so.6", "/bin/true", "", "", EM_AARCH64, LibrarySearch{}, cache), "");
  EXPECT_EQ(FindLibrary("libnothing-at-all.so.9", "/bin/true", "", "", EM_X86_64, LibrarySearch{}, cache), "");
}

TEST(LibrarySearchTest, OriginInRunpathIsTheLoadersFolder) {
  LibrarySearch search;
  search.default_folders = {};
  search.ld_cache = "/nonexistent";
  const std::string found = FindLibrary("libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "", "$ORIGIN", EM_X86_64,
                                        search, {});
  EXPECT_EQ(found, "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(FindLibrary("libc.so.6", "/bin/true", "", "", EM_X86_64, search, {}), "");
}

}  // namespace
}  // namespace sysfence::analyze
