// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the recording JSON reader (`sysfence record --json`, read by `merge` and
// `compile --weights`). Any input, huge numbers (1e400, 2^64) and deep nesting included, must be
// read or refused with an error naming the file, never crash; a recording that is read must write
// back to JSON that reads to the same recording.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "profile/profile_json.h"

namespace {

using namespace sysfence;

[[noreturn]] void Fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "profile_json_fuzz: %s %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)profile::LooksLikeProfileJson(text);
  auto profile = profile::ProfileFromJson(text, "fuzz.json");
  if (!profile.ok()) {
    if (profile.error().message.rfind("fuzz.json: ", 0) != 0) Fail("error without the file:", profile.error().message);
    return 0;
  }
  const std::string written = profile::ProfileToJson(*profile).dump();
  auto again = profile::ProfileFromJson(written, "again.json");
  if (!again.ok()) Fail("the written recording does not read back:", again.error().message);
  if (profile::ProfileToJson(*again).dump() != written) Fail("the recording changed on the way back");
  return 0;
}
