// SPDX-License-Identifier: Apache-2.0
#include "os/spawn.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "os/exit_status.h"
#include "os/proc.h"

namespace sysfence::os {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempPath(const char* name) {
  return std::string(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp") + "/sysfence_spawn_" +
         std::to_string(getpid()) + "_" + name;
}

int WaitStatus(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

SpawnSpec Shell(const std::string& script) {
  SpawnSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", script};
  return spec;
}

TEST(SpawnTest, RunsTheStepsInOrderThenExecs) {
  const std::string out = TempPath("order");
  SpawnSpec spec = Shell("echo ran >> " + out + "; exit 3");
  // Custom steps run in the child: they leave their trace in a file, in the order given.
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
  spec.steps.push_back(SpawnStep::Custom("first", [out]() -> Result<std::string> {
    std::ofstream(out, std::ios::app) << "first\n";
    return std::string("note one");
  }));
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kNoNewPrivs));
  spec.steps.push_back(SpawnStep::Custom("second", [out]() -> Result<std::string> {
    std::ofstream(out, std::ios::app) << "second\n";
    return std::string("note two");
  }));
  Result<SpawnedChild> child = Spawn(spec);
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_EQ(ReadAll(out), "first\nsecond\n");  // at the gate: nothing of the program ran yet
  EXPECT_EQ(child->note(), "note one\nnote two");
  ASSERT_TRUE(child->ReleaseAndAwaitExec().ok());
  const pid_t pid = child->pid();
  child->Detach();
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(ReadAll(out), "first\nsecond\nran\n");
  unlink(out.c_str());
}

TEST(SpawnTest, AFailingStepIsNamedAndNothingStarts) {
  const std::string out = TempPath("never");
  SpawnSpec spec = Shell("touch " + out);
  spec.steps.push_back(SpawnStep::Custom("landlock", []() -> Result<std::string> {
    return MakeError(ErrorCode::kUnsupported, "no Landlock here");
  }));
  Result<SpawnedChild> child = Spawn(spec);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().message, "step 'landlock' failed: no Landlock here");
  EXPECT_EQ(child.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(access(out.c_str(), F_OK), 0) << "the program ran";
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "the child was not reaped";
}

TEST(SpawnTest, AFailedExecveIsNamed) {
  SpawnSpec spec;
  spec.path = "/nonexistent/program";
  spec.argv = {"program"};
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
  Result<SpawnedChild> child = Spawn(spec);
  ASSERT_TRUE(child.ok()) << child.error().message;
  Result<void> exec = child->ReleaseAndAwaitExec();
  ASSERT_FALSE(exec.ok());
  EXPECT_NE(exec.error().message.find("step 'execve' failed"), std::string::npos) << exec.error().message;
  EXPECT_EQ(child->exec_errno(), ENOENT);
}

// execve's errno reaches the parent as a number, and picks the status env(1) and timeout(1) use.
TEST(SpawnTest, AFailedExecveReportsItsErrno) {
  const std::string bad_elf = TempPath("bad_elf");
  std::ofstream(bad_elf) << std::string("\x7f" "ELF\x02\x01\x01", 7) << std::string(57, '\0');
  chmod(bad_elf.c_str(), 0755);
  const std::string lost_interpreter = TempPath("lost_interpreter");
  std::ofstream(lost_interpreter) << "#!/nonexistent/interpreter\n";
  chmod(lost_interpreter.c_str(), 0755);
  const std::string folder_interpreter = TempPath("folder_interpreter");
  std::ofstream(folder_interpreter) << "#!/\n";
  chmod(folder_interpreter.c_str(), 0755);
  const std::pair<std::string, int> cases[] = {
      {bad_elf, ENOEXEC}, {lost_interpreter, ENOENT}, {folder_interpreter, EACCES}, {"/nonexistent", ENOENT}};
  for (const auto& [path, expected] : cases) {
    SpawnSpec spec;
    spec.path = path;
    spec.argv = {path};
    spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
    Result<SpawnedChild> child = Spawn(spec);
    ASSERT_TRUE(child.ok()) << child.error().message;
    EXPECT_EQ(child->exec_errno(), 0) << "before the gate opens";
    EXPECT_FALSE(child->ReleaseAndAwaitExec().ok()) << path;
    EXPECT_EQ(child->exec_errno(), expected) << path;
  }
  for (const char* path : {bad_elf.c_str(), lost_interpreter.c_str(), folder_interpreter.c_str()}) unlink(path);
  EXPECT_EQ(ExecFailureStatus(ENOENT), 127);
  for (const int error : {EACCES, ENOEXEC, EPERM, ETXTBSY, ELOOP, E2BIG}) EXPECT_EQ(ExecFailureStatus(error), 126);
}

TEST(SpawnTest, TheProgramGetsTheDispositionsSysfenceInherited) {
  // This process ignores SIGPIPE now (as run does), but did not at start: the program must not.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);
  const std::string out = TempPath("sigign");
  SpawnSpec spec = Shell("grep SigIgn /proc/self/status > " + out);
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
  Result<SpawnedChild> child = Spawn(spec);
  sigaction(SIGPIPE, &previous, nullptr);
  ASSERT_TRUE(child.ok()) << child.error().message;
  ASSERT_TRUE(child->ReleaseAndAwaitExec().ok());
  const pid_t pid = child->pid();
  child->Detach();
  WaitStatus(pid);
  const std::string line = ReadAll(out);
  const uint64_t mask = std::strtoull(line.c_str() + line.find('\t') + 1, nullptr, 16);
  EXPECT_EQ(mask & (uint64_t{1} << (SIGPIPE - 1)), 0u) << line;
  EXPECT_FALSE(IgnoredAtStart(SIGPIPE));
  unlink(out.c_str());
}

TEST(SpawnTest, AffinityStepPinsTheProgram) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int cpu = 0;
  while (!CPU_ISSET(cpu, &allowed)) ++cpu;
  const std::string out = TempPath("nproc");
  SpawnSpec spec = Shell("nproc > " + out);
  spec.steps.push_back(SpawnStep::Affinity(cpu));
  Result<SpawnedChild> child = Spawn(spec);
  ASSERT_TRUE(child.ok()) << child.error().message;
  ASSERT_TRUE(child->ReleaseAndAwaitExec().ok());
  const pid_t pid = child->pid();
  child->Detach();
  WaitStatus(pid);
  EXPECT_EQ(ReadAll(out), "1\n");
  unlink(out.c_str());
}

TEST(SpawnTest, ResolveProgramSearchesPathAndSaysWhy) {
  Result<std::string> sh = ResolveProgram("sh");
  ASSERT_TRUE(sh.ok()) << sh.error().message;
  EXPECT_EQ(access(sh->c_str(), X_OK), 0);
  EXPECT_EQ(ResolveProgram("/nonexistent/x").error().code, ErrorCode::kNotFound);
  EXPECT_NE(ResolveProgram("sysfence-no-such-program").error().message.find("not found in PATH"), std::string::npos);
  const std::string plain = TempPath("plain");
  std::ofstream(plain) << "not a program\n";
  Result<std::string> not_executable = ResolveProgram(plain);
  unlink(plain.c_str());
  ASSERT_FALSE(not_executable.ok());
  EXPECT_EQ(not_executable.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(not_executable.error().message.find("is not executable"), std::string::npos);
  Result<std::string> folder = ResolveProgram("/");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::kInvalidInput);
}

TEST(ProcTest, SignalTreeReachesGrandchildren) {
  SpawnSpec spec = Shell("sleep 9751 & sleep 9752; wait");
  spec.steps.push_back(SpawnStep::Of(SpawnStepKind::kSignals));
  Result<SpawnedChild> child = Spawn(spec);
  ASSERT_TRUE(child.ok()) << child.error().message;
  ASSERT_TRUE(child->ReleaseAndAwaitExec().ok());
  const pid_t pid = child->pid();
  child->Detach();
  // Wait until both children of the shell have exec'd sleep.
  std::vector<pid_t> below;
  auto both_sleep = [&below] {
    return below.size() == 2 && CommandOf(below[0]) == "sleep" && CommandOf(below[1]) == "sleep";
  };
  for (int i = 0; i < 500 && !both_sleep(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    below = DescendantsOf(pid);
  }
  ASSERT_TRUE(both_sleep()) << below.size();
  SignalTree(pid, SIGTERM);
  const int status = WaitStatus(pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  for (int i = 0; i < 500 && (IsRunning(below[0]) || IsRunning(below[1])); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(IsRunning(below[0]));
  EXPECT_FALSE(IsRunning(below[1]));
}

TEST(ProcTest, ReadsTasksAndMemory) {
  const TaskInfo self = ReadTaskInfo(getpid());
  EXPECT_EQ(self.tgid, getpid());
  EXPECT_EQ(ThreadGroupOf(getpid()), getpid());
  EXPECT_FALSE(ExecutableOf(getpid()).empty());
  static const char kText[] = "read me";
  EXPECT_EQ(ReadTargetString(getpid(), reinterpret_cast<uint64_t>(kText)).value_or(""), "read me");
  EXPECT_FALSE(ReadTargetString(getpid(), 0).has_value());
  EXPECT_GE(SeccompModeOf(getpid()), 0);
  EXPECT_EQ(SeccompModeOf(0x3ffffff0), -1);
  EXPECT_FALSE(ThreadsOf(getpid()).empty());
  EXPECT_EQ(ParentOf(getpid()), getppid());
  EXPECT_EQ(ParentOf(0x3ffffff0), 0);  // no such process
}

}  // namespace
}  // namespace sysfence::os
