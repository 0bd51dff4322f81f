// SPDX-License-Identifier: Apache-2.0
// Helpers for the inspect tests: fixtures from tests/data, policies compiled from text.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "bpf/text_assembler.h"
#include "codegen/compile.h"
#include "core/diagnostic.h"
#include "formats/load.h"
#include "tests/support/test_paths.h"

namespace sysfence::inspect::testing {

/// The text of tests/data/NAME.
inline std::string DataFile(const std::string& name) {
  std::ifstream in(test_paths::SourceDir() + "/tests/data/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

/// Assembly text as a program (empty on error, with a test failure).
inline bpf::Program Assemble(std::string_view text) {
  auto program = bpf::ParseAssembly(text);
  EXPECT_TRUE(program.ok()) << program.error().message;
  return program.ok() ? *program : bpf::Program{};
}

/// A policy (.sfp or OCI JSON text) compiled by sysfence.
inline bpf::Program CompilePolicy(std::string_view text) {
  Diagnostics diagnostics;
  auto policy = formats::LoadPolicyText(text, "test", formats::LoadOptions{}, diagnostics);
  EXPECT_TRUE(policy && !diagnostics.HasErrors()) << (diagnostics.all().empty() ? "" : diagnostics.all()[0].message);
  if (!policy) return {};
  auto program = codegen::Compile(*policy);
  EXPECT_TRUE(program.ok());
  return program.ok() ? *program : bpf::Program{};
}

}  // namespace sysfence::inspect::testing
