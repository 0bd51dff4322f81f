// SPDX-License-Identifier: Apache-2.0
#include "container/oci_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "container/container_record.h"

namespace sysfence::container {
namespace {

TEST(OciState, ParsesTheRuntimeSpecState) {
  Result<ContainerState> state = ParseOciState(
      R"({"ociVersion":"1.0.2","id":"web","status":"created","pid":4242,"bundle":"/b",)"
      R"("annotations":{"org.sysfence.record":"/p.json"}})");
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state.value().id, "web");
  EXPECT_EQ(state.value().status, "created");
  EXPECT_EQ(state.value().pid, 4242);
  EXPECT_EQ(state.value().bundle, "/b");
  EXPECT_EQ(state.value().annotations.at("org.sysfence.record"), "/p.json");
  EXPECT_NE(ParseOciState(R"({"ociVersion":"1","id":1,"status":"x","bundle":"/b"})").error().message.find("$.id"),
            std::string::npos);
  EXPECT_NE(ParseOciState(R"({"ociVersion":"1","id":"a","status":"x","bundle":"/b","annotations":{"k":1}})")
                .error()
                .message.find("$.annotations.k"),
            std::string::npos);
}

TEST(OciState, FormatsByExtension) {
  EXPECT_EQ(ProfileFormatOf("/p/web.sfp"), ProfileFormat::kSfp);
  EXPECT_EQ(ProfileFormatOf("/p/web.json"), ProfileFormat::kOciJson);
  EXPECT_EQ(ProfileFormatOf("/p/web.yaml"), ProfileFormat::kKubernetesYaml);
  EXPECT_EQ(ProfileFormatOf("/p/web.yml"), ProfileFormat::kKubernetesYaml);
  EXPECT_EQ(ProfileFormatOf("/p/web.txt"), std::nullopt);
  EXPECT_EQ(ProfileFormatOf(".sfp"), std::nullopt);
}

TEST(OciState, StateAnnotationsWinOverTheBundles) {
  const std::string bundle = std::filesystem::temp_directory_path() / ("sf-state-" + std::to_string(getpid()));
  std::filesystem::create_directories(bundle);
  std::ofstream(bundle + "/config.json")
      << R"({"process":{"args":["/bin/sh","-c","echo"]},"annotations":{"org.sysfence.record":"/nowhere/x.sfp"}})";
  ContainerState state;
  state.bundle = bundle;
  Result<std::optional<RecordRequest>> from_config = ReadRecordRequest(state);
  ASSERT_FALSE(from_config.ok());
  EXPECT_NE(from_config.error().message.find("folder '/nowhere' does not exist"), std::string::npos);
  state.annotations["org.sysfence.record"] = bundle + "/x.json";
  Result<std::optional<RecordRequest>> from_state = ReadRecordRequest(state);
  ASSERT_TRUE(from_state.ok()) << from_state.error().message;
  ASSERT_TRUE(from_state.value().has_value());
  EXPECT_EQ(from_state.value()->output, bundle + "/x.json");
  EXPECT_EQ(from_state.value()->format, ProfileFormat::kOciJson);
  EXPECT_EQ(from_state.value()->process_args, (std::vector<std::string>{"/bin/sh", "-c", "echo"}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(bundle), {}), 1);  // the probe file is gone
  std::filesystem::remove_all(bundle);
}

TEST(ContainerRecord, RuntimesAndTheirBases) {
  EXPECT_EQ(BaseForRuntime("runc").value(), "runc-v1.1.x");
  EXPECT_EQ(BaseForRuntime("crun").value(), "crun-v1.8.x");
  EXPECT_EQ(BaseForRuntime("youki").error().code, ErrorCode::kUnsupported);
  EXPECT_TRUE(RuntimeAcceptsFilterFlags("crun"));
  EXPECT_FALSE(RuntimeAcceptsFilterFlags("runc"));
}

}  // namespace
}  // namespace sysfence::container
