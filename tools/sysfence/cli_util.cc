// SPDX-License-Identifier: Apache-2.0
#include "tools/sysfence/cli_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "tools/sysfence/command.h"

namespace sysfence::cli {

Result<std::string> ReadInputFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidInput,
                     "cannot open '" + path + "': " + std::strerror(err));
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return MakeError(ErrorCode::kInvalidInput, "cannot read '" + path + "'");
  return data;
}

Result<void> WriteOutputFile(const std::string& path, std::string_view data) {
  if (path == "-") {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return Ok();
  }
  const std::string temp = path + ".sysfence-tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kOs, "cannot write '" + path + "': " + std::strerror(errno));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) {
      std::remove(temp.c_str());
      return MakeError(ErrorCode::kOs, "cannot write '" + path + "': " + std::strerror(errno));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(temp.c_str());
    return MakeError(ErrorCode::kOs, "cannot write '" + path + "': " + std::strerror(err));
  }
  return Ok();
}

int ReportError(const Error& error) {
  std::fprintf(stderr, "sysfence: error: %s\n", error.message.c_str());
  switch (error.code) {
    case ErrorCode::kPermission:
    case ErrorCode::kOs:
    case ErrorCode::kUnsupported:
    case ErrorCode::kInternal: return kExitFailure;
    default: return kExitBadInput;
  }
}

int ReportDiagnostics(const Diagnostics& diagnostics, std::string_view source) {
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    std::fputs(RenderDiagnostic(diagnostic, source).c_str(), stderr);
  }
  if (diagnostics.HasErrors()) return kExitBadInput;
  if (diagnostics.HasWarnings()) return kExitFindings;
  return kExitOk;
}

}  // namespace sysfence::cli
