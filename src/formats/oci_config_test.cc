// SPDX-License-Identifier: Apache-2.0
// The OCI config.json fragment: linux.seccomp is the exact profile, and the caps, unshare and
// rlimit lines fill process.capabilities, linux.namespaces and process.rlimits.
#include "formats/oci_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/oci_export.h"
#include "policy/parser.h"

namespace sysfence::formats {
namespace {

policy::Policy Parse(const std::string& text) {
  Diagnostics d;
  auto p = policy::ParsePolicy(text, "t.sfp", d);
  EXPECT_TRUE(p.has_value()) << text;
  return p ? *p : policy::Policy{};
}

TEST(OciConfigExport, SeccompIsTheExactProfileAndNothingElseWithoutPrivilegeLines) {
  const policy::Policy p = Parse("arch x86_64\ndefault errno EPERM\nallow read write\n");
  Diagnostics d;
  auto fragment = ExportOciConfig(p, d);
  ASSERT_TRUE(fragment.ok());
  const auto json = nlohmann::json::parse(*fragment);
  Diagnostics d2;
  EXPECT_EQ(json["linux"]["seccomp"], nlohmann::json::parse(*ExportOciJson(p, d2)));
  EXPECT_FALSE(json.contains("process"));
  EXPECT_FALSE(json["linux"].contains("namespaces"));
}

TEST(OciConfigExport, CapsUnshareAndRlimits) {
  const policy::Policy p = Parse("arch x86_64\ndefault allow\ncaps keep CAP_NET_RAW CAP_CHOWN\nunshare net uts user\n"
                                 "rlimit NOFILE 64 128\nrlimit AS unlimited\n");
  Diagnostics d;
  auto fragment = ExportOciConfig(p, d);
  ASSERT_TRUE(fragment.ok());
  const auto json = nlohmann::json::parse(*fragment);
  for (const char* set : {"bounding", "permitted", "effective", "inheritable", "ambient"}) {
    EXPECT_EQ(json["process"]["capabilities"][set], nlohmann::json::parse(R"(["CAP_CHOWN", "CAP_NET_RAW"])")) << set;
  }
  EXPECT_EQ(json["linux"]["namespaces"], nlohmann::json::parse(R"([{"type":"network"},{"type":"uts"},{"type":"user"}])"));
  EXPECT_EQ(json["process"]["rlimits"],
            nlohmann::json::parse(R"([{"type":"RLIMIT_NOFILE","soft":64,"hard":128},
                                      {"type":"RLIMIT_AS","soft":18446744073709551615,"hard":18446744073709551615}])"));
  ASSERT_TRUE(d.HasWarnings());
  EXPECT_NE(d.all()[0].message.find("linux.uidMappings"), std::string::npos);
}

TEST(OciConfigExport, CapsKeepNoneEmptiesEverySet) {
  Diagnostics d;
  auto fragment = ExportOciConfig(Parse("arch x86_64\ndefault allow\ncaps keep none\n"), d);
  ASSERT_TRUE(fragment.ok());
  const auto json = nlohmann::json::parse(*fragment);
  EXPECT_EQ(json["process"]["capabilities"]["bounding"], nlohmann::json::array());
  EXPECT_EQ(json["process"]["capabilities"]["ambient"], nlohmann::json::array());
}

}  // namespace
}  // namespace sysfence::formats
