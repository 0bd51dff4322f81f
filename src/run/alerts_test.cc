// SPDX-License-Identifier: Apache-2.0
#include "run/alerts.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sysfence::run {
namespace {

TEST(TokenBucketTest, BurstThenRate) {
  TokenBucket bucket(2.0, 3.0);
  int64_t t = 1'000'000'000;
  EXPECT_TRUE(bucket.TryTake(t));
  EXPECT_TRUE(bucket.TryTake(t));
  EXPECT_TRUE(bucket.TryTake(t));
  EXPECT_FALSE(bucket.TryTake(t));
  EXPECT_FALSE(bucket.TryTake(t + 400'000'000));  // 0.8 token
  EXPECT_TRUE(bucket.TryTake(t + 500'000'000));   // 1 token after 0.5 s at 2/s
  EXPECT_FALSE(bucket.TryTake(t + 500'000'000));
  EXPECT_TRUE(bucket.TryTake(t + 100'000'000'000));  // refills, capped at the burst
  EXPECT_TRUE(bucket.TryTake(t + 100'000'000'000));
  EXPECT_TRUE(bucket.TryTake(t + 100'000'000'000));
  EXPECT_FALSE(bucket.TryTake(t + 100'000'000'000));
}

TEST(AlertDispatcherTest, RunsTheCommandWithTheEventOnStdinAndCountsDrops) {
  const std::string dir = std::filesystem::temp_directory_path() / ("sysfence-alerts-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  AlertOptions options;
  options.command = "cat > " + dir + "/$$.json; echo $SYSFENCE_ALERTS_DROPPED > " + dir + "/$$.dropped";
  options.rate_per_second = 0.001;
  options.burst = 2;
  {
    AlertDispatcher alerts(options);
    EXPECT_TRUE(alerts.Submit("{\"n\":1}\n"));
    EXPECT_TRUE(alerts.Submit("{\"n\":2}\n"));
    EXPECT_FALSE(alerts.Submit("{\"n\":3}\n"));  // over the burst: dropped, never blocks
    alerts.Finish();
    EXPECT_EQ(alerts.sent(), 2u);
    EXPECT_EQ(alerts.dropped(), 1u);
    EXPECT_EQ(alerts.failed(), 0u);
  }
  std::string all;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    all += text.str();
    ++files;
  }
  EXPECT_EQ(files, 2);
  EXPECT_NE(all.find("{\"n\":1}"), std::string::npos);
  EXPECT_NE(all.find("{\"n\":2}"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// A hung command is killed with everything it started: the shell's `sleep` child must not outlive
// the timeout (it writes its pid first, so the test can look for it afterwards).
TEST(AlertDispatcherTest, AHungCommandIsKilledAfterTheTimeout) {
  char pid_file[] = "/tmp/sysfence-alert-pid-XXXXXX";
  const int fd = mkstemp(pid_file);
  ASSERT_GE(fd, 0);
  close(fd);
  AlertOptions options;
  options.command = std::string("sleep 30 & echo $! > ") + pid_file + "; wait";
  options.command_timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  AlertDispatcher alerts(options);
  EXPECT_TRUE(alerts.Submit("{}\n"));
  alerts.Finish();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(alerts.failed(), 1u);
  std::ifstream in(pid_file);
  pid_t sleeper = 0;
  in >> sleeper;
  unlink(pid_file);
  ASSERT_GT(sleeper, 0);
  // Killed, and reaped by init once the group died (it was the shell's child): give it a moment.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(sleeper, 0) != 0 && errno == ESRCH;
    if (!gone) {
      // A zombie still answers kill(0): check its state.
      std::ifstream stat("/proc/" + std::to_string(sleeper) + "/stat");
      std::string pid_text, comm, state;
      stat >> pid_text >> comm >> state;
      gone = state == "Z" || !stat;
    }
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the alert command's child " << sleeper << " outlived the timeout";
  if (!gone) kill(sleeper, SIGKILL);
}

}  // namespace
}  // namespace sysfence::run
