// SPDX-License-Identifier: Apache-2.0
#include "tests/cli_conventions/terminal_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "tests/support/cli_runner.h"

namespace sysfence::testsupport {
namespace {

// In the child: applies `env` and executes the binary (127 when it cannot).
[[noreturn]] void ExecSysfence(const std::vector<std::string>& args, const EnvChanges& env) {
  for (const auto& [name, value] : env) {
    if (value) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  const std::string binary = SysfenceBinary();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

int StatusOf(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

// Reads `fds` until all are closed or the deadline passes (then kills `child`); returns its status.
int DrainAndWait(pid_t child, std::vector<int> fds, std::vector<std::string*> sinks, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  size_t open = fds.size();
  while (open > 0) {
    std::vector<pollfd> polled;
    for (int fd : fds) polled.push_back({fd, POLLIN, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(child, SIGKILL);
      break;
    }
    if (poll(polled.data(), polled.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i] < 0 || (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i], buffer, sizeof(buffer));
      if (n <= 0) {  // EOF, or EIO once the terminal's last writer is gone
        close(fds[i]);
        fds[i] = -1;
        --open;
      } else {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  int wait_status = 0;
  while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
  }
  return StatusOf(wait_status);
}

}  // namespace

TerminalRun RunOnTerminal(const std::vector<std::string>& args, const EnvChanges& env, int timeout_s) {
  TerminalRun run;
  int master = -1;
  winsize size{};
  size.ws_row = 40;
  size.ws_col = 200;
  const pid_t child = forkpty(&master, nullptr, nullptr, &size);
  if (child < 0) return run;
  if (child == 0) ExecSysfence(args, env);
  run.exit_status = DrainAndWait(child, {master}, {&run.output}, timeout_s);
  return run;
}

PipedRun RunPiped(const std::vector<std::string>& args, const EnvChanges& env, int timeout_s) {
  PipedRun run;
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) return run;
  const pid_t child = fork();
  if (child == 0) {
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {null, out[0], out[1], err[0], err[1]}) close(fd);
    ExecSysfence(args, env);
  }
  close(out[1]);
  close(err[1]);
  run.exit_status = DrainAndWait(child, {out[0], err[0]}, {&run.out, &run.err}, timeout_s);
  return run;
}

}  // namespace sysfence::testsupport
