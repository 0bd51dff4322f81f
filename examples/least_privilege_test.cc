// SPDX-License-Identifier: Apache-2.0
// Runs examples/least_privilege as root: the policy it builds prints exactly as `sysfence fmt`
// prints the same lines written as .sfp, and after ApplySandbox the kernel keeps port 80 bindable,
// refuses sethostname, shows only loopback and stops open() with EMFILE at the limit.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;

// Standard output of `command` and its exit status.
std::string Capture(const std::string& command, int* status) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  if (pipe == nullptr) return out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int raw = pclose(pipe);
  *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 1000;
  return out;
}

TEST(LeastPrivilege, PolicyPrintsAsFmtPrintsTheSameSfp) {
  // The builder's calls, written as .sfp lines in another order and spelling.
  char pattern[] = "/tmp/sysfence-least-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string sfp = std::string(pattern) + "/same.sfp";
  std::ofstream(sfp) << "arch x86_64\ndefault allow\nerrno EPERM ptrace process_vm_writev kexec_load init_module\n"
                        "rlimit RLIMIT_NOFILE 32 32\nunshare uts ipc net\ncaps keep CAP_NET_BIND_SERVICE\n";
  int fmt_status = 0;
  const std::string canonical = Capture(std::string(SYSFENCE_PATH) + " fmt " + sfp, &fmt_status);
  ASSERT_EQ(fmt_status, 0);
  int status = 0;
  // Without root the demo stops at ApplySandbox (exit 3), after printing its policy.
  const std::string out = Capture(std::string(LEAST_PRIVILEGE_PATH) + " 2>/dev/null", &status);
  EXPECT_EQ(out.substr(0, out.find("--\n")), canonical);
  EXPECT_THAT(canonical, HasSubstr("\ncaps keep CAP_NET_BIND_SERVICE\nunshare net ipc uts\nrlimit NOFILE 32\n"));
  std::filesystem::remove_all(pattern);
}

TEST(LeastPrivilege, TheKernelEnforcesWhatItKept) {
  if (geteuid() != 0) GTEST_SKIP() << "dropping capabilities and new namespaces need root [feature: root]";
  int status = 0;
  const std::string out = Capture(LEAST_PRIVILEGE_PATH, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("bind 127.0.0.1:80        ok   127.0.0.1:80\n"));
  EXPECT_THAT(out, HasSubstr("sethostname              fail Operation not permitted\n"));
  EXPECT_THAT(out, HasSubstr("interfaces               ok   lo\n"));
  // Every descriptor below the limit of 32 was handed out, then open() failed.
  EXPECT_THAT(out, HasSubstr("open /dev/null           ok   up to fd 31, then Too many open files\n"));
}

}  // namespace
