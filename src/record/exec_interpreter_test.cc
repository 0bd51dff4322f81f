// SPDX-License-Identifier: Apache-2.0
#include "record/exec_interpreter.h"

#include <elf.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "policy/policy.h"

namespace sysfence::record {
namespace {

// Writes `value` into `image` at `at` as `size` bytes in the given byte order.
void Put(std::string& image, size_t at, size_t size, uint64_t value, bool big) {
  if (image.size() < at + size) image.resize(at + size, '\0');
  for (size_t i = 0; i < size; ++i) {
    image[at + (big ? size - 1 - i : i)] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
}

// A minimal ELF image: a header, `phnum` program headers (a PT_LOAD and, with `interp`, a PT_INTERP
// pointing at `interp` followed by its NUL).
std::string ElfImage(bool is64, bool big, const std::string& interp, uint16_t type = ET_DYN) {
  std::string image(is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), '\0');
  std::memcpy(image.data(), ELFMAG, SELFMAG);
  image[EI_CLASS] = static_cast<char>(is64 ? ELFCLASS64 : ELFCLASS32);
  image[EI_DATA] = static_cast<char>(big ? ELFDATA2MSB : ELFDATA2LSB);
  image[EI_VERSION] = EV_CURRENT;
  const size_t phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  const size_t phoff = image.size();
  const uint16_t phnum = interp.empty() ? 1 : 2;
  const size_t data = phoff + phnum * phentsize;
  Put(image, offsetof(Elf64_Ehdr, e_type), 2, type, big);
  Put(image, is64 ? offsetof(Elf64_Ehdr, e_phoff) : offsetof(Elf32_Ehdr, e_phoff), is64 ? 8 : 4, phoff, big);
  Put(image, is64 ? offsetof(Elf64_Ehdr, e_phentsize) : offsetof(Elf32_Ehdr, e_phentsize), 2, phentsize, big);
  Put(image, is64 ? offsetof(Elf64_Ehdr, e_phnum) : offsetof(Elf32_Ehdr, e_phnum), 2, phnum, big);
  Put(image, phoff, 4, PT_LOAD, big);
  if (!interp.empty()) {
    const size_t at = phoff + phentsize;
    Put(image, at, 4, PT_INTERP, big);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_offset) : offsetof(Elf32_Phdr, p_offset)), is64 ? 8 : 4, data, big);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_filesz) : offsetof(Elf32_Phdr, p_filesz)), is64 ? 8 : 4,
        interp.size() + 1, big);
  }
  image.resize(data);
  image += interp;
  image.push_back('\0');
  return image;
}

ReadAt From(const std::string& image) {
  return [image](uint64_t offset, size_t size, std::string& out) {
    if (offset > image.size() || size > image.size() - offset) return false;
    out = image.substr(offset, size);
    return true;
  };
}

TEST(ExecInterpreterTest, ElfInterpreterOfEveryClassAndByteOrder) {
  for (bool is64 : {true, false}) {
    for (bool big : {false, true}) {
      EXPECT_EQ(ElfInterpreter(From(ElfImage(is64, big, "/lib/ld-test.so.1"))), "/lib/ld-test.so.1")
          << "64-bit " << is64 << " big-endian " << big;
      EXPECT_EQ(ElfInterpreter(From(ElfImage(is64, big, "/lib/ld-test.so.1", ET_EXEC))), "/lib/ld-test.so.1");
    }
  }
}

TEST(ExecInterpreterTest, StaticAndNonExecutableFilesHaveNone) {
  EXPECT_EQ(ElfInterpreter(From(ElfImage(true, false, ""))), std::nullopt);
  EXPECT_EQ(ElfInterpreter(From(ElfImage(true, false, "/lib/ld.so", ET_REL))), std::nullopt);
  EXPECT_EQ(ElfInterpreter(From("#!/bin/sh\n")), std::nullopt);
  EXPECT_EQ(ElfInterpreter(From("")), std::nullopt);
}

TEST(ExecInterpreterTest, MalformedElfIsRejectedWithinBounds) {
  const std::string good = ElfImage(true, false, "/lib/ld.so");
  // Truncated anywhere: never a crash, never a path from outside the file.
  for (size_t size = 0; size < good.size(); ++size) {
    EXPECT_EQ(ElfInterpreter(From(good.substr(0, size))), std::nullopt) << "truncated at " << size;
  }
  // PT_INTERP without its NUL.
  std::string no_nul = good;
  no_nul.pop_back();
  no_nul.push_back('x');
  EXPECT_EQ(ElfInterpreter(From(no_nul)), std::nullopt);
  // A program header table far beyond the file, and absurd sizes.
  std::string far = good;
  Put(far, offsetof(Elf64_Ehdr, e_phoff), 8, ~uint64_t{0} - 8, false);
  EXPECT_EQ(ElfInterpreter(From(far)), std::nullopt);
  std::string huge = good;
  Put(huge, offsetof(Elf64_Ehdr, e_phnum), 2, 0xffff, false);
  EXPECT_EQ(ElfInterpreter(From(huge)), std::nullopt);
  std::string small_entries = good;
  Put(small_entries, offsetof(Elf64_Ehdr, e_phentsize), 2, 8, false);
  EXPECT_EQ(ElfInterpreter(From(small_entries)), std::nullopt);
  std::string bad_class = good;
  bad_class[EI_CLASS] = 7;
  EXPECT_EQ(ElfInterpreter(From(bad_class)), std::nullopt);
}

TEST(ExecInterpreterTest, ScriptInterpreterLine) {
  EXPECT_EQ(ScriptInterpreter("#!/bin/sh\necho hi\n"), "/bin/sh");
  EXPECT_EQ(ScriptInterpreter("#! /usr/bin/env python3\n"), "/usr/bin/env");
  EXPECT_EQ(ScriptInterpreter("#!\t/usr/bin/perl -w\n"), "/usr/bin/perl");
  EXPECT_EQ(ScriptInterpreter("echo hi\n"), std::nullopt);
  EXPECT_EQ(ScriptInterpreter("#!\n"), std::nullopt);
  EXPECT_EQ(ScriptInterpreter("#!/bin/sh"), std::nullopt);  // no end within what was read
  // The kernel reads 256 bytes: a name running past them is truncated, and execve fails.
  EXPECT_EQ(ScriptInterpreter("#!/" + std::string(300, 'a') + "\n"), std::nullopt);
}

class ExecInterpreterFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sysfence-interp-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ExecInterpreterFiles, ScriptThenItsLoader) {
  const std::string loader = (dir_ / "ld.so").string();
  const std::string interpreter = (dir_ / "interp").string();
  const std::string script = (dir_ / "script").string();
  std::ofstream(loader) << ElfImage(true, false, "");
  std::ofstream(interpreter) << ElfImage(true, false, loader);
  std::ofstream(script) << "#!" << interpreter << " -x\nbody\n";
  EXPECT_EQ(ExecInterpreters(script), (std::vector<std::string>{interpreter, loader}));
  EXPECT_EQ(ExecInterpreters(loader), std::vector<std::string>{});
  EXPECT_EQ(ExecInterpreters((dir_ / "missing").string()), std::vector<std::string>{});
  // A relative interpreter is not followed (its meaning depends on the caller's folder).
  std::ofstream(script) << "#!interp\n";
  EXPECT_EQ(ExecInterpreters(script), std::vector<std::string>{});
  // A loop ends after the kernel's depth.
  std::ofstream(script) << "#!" << script << "\n";
  EXPECT_EQ(ExecInterpreters(script).size(), 4u);
}

TEST_F(ExecInterpreterFiles, AddsInterpretersOfExecutedPaths) {
  const std::string loader = (dir_ / "ld.so").string();
  const std::string program = (dir_ / "program").string();
  const std::string data = (dir_ / "data").string();
  std::ofstream(loader) << ElfImage(true, false, "");
  std::ofstream(program) << ElfImage(true, false, loader);
  std::ofstream(data) << ElfImage(true, false, "/lib/never.so");
  profile::Profile profile;
  profile.paths[program] = policy::kFsExecute | policy::kFsReadFile;
  profile.paths[data] = policy::kFsReadFile;  // read, not executed: its interpreter is not needed
  AddExecInterpreters(profile);
  EXPECT_EQ(profile.paths.at(loader), policy::kFsExecute | policy::kFsReadFile);
  EXPECT_EQ(profile.paths.count("/lib/never.so"), 0u);
}

TEST(ExecInterpreterTest, DynamicallyLinkedSystemProgram) {
  if (access("/bin/true", R_OK) != 0) GTEST_SKIP() << "/bin/true is not readable here";
  const std::vector<std::string> chain = ExecInterpreters("/bin/true");
  ASSERT_EQ(chain.size(), 1u) << "Debian's /bin/true is dynamically linked";
  EXPECT_NE(chain.front().find("ld-linux"), std::string::npos) << chain.front();
}

}  // namespace
}  // namespace sysfence::record
