// SPDX-License-Identifier: Apache-2.0
#include "record/process_tree.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "os/proc.h"

namespace sysfence::record {

std::vector<pid_t> ProcessTree(pid_t pid) {
  if (os::ThreadsOf(pid).empty()) return {};
  std::vector<pid_t> tree = os::DescendantsOf(pid);
  tree.push_back(pid);
  std::sort(tree.begin(), tree.end());
  tree.erase(std::unique(tree.begin(), tree.end()), tree.end());
  return tree;
}

std::vector<pid_t> ThreadsOfTree(pid_t pid) {
  std::vector<pid_t> threads;
  for (pid_t process : ProcessTree(pid)) {
    const std::vector<pid_t> tasks = os::ThreadsOf(process);
    threads.insert(threads.end(), tasks.begin(), tasks.end());
  }
  std::sort(threads.begin(), threads.end());
  return threads;
}

bool SeizedByUsOrEnded(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  bool read_any = false;
  while (std::getline(status, line)) {
    read_any = true;
    if (line.rfind("State:", 0) == 0) {
      // "State:\tZ (zombie)"; a task past exit is Z or X.
      const size_t letter = line.find_first_not_of(" \t", 6);
      if (letter != std::string::npos && (line[letter] == 'Z' || line[letter] == 'X')) return true;
    }
    // The tracer named is the thread that attached (auto-attached children inherit it).
    if (line.rfind("TracerPid:", 0) == 0) return std::stol(line.substr(10)) == gettid();
  }
  return !read_any;  // gone
}

}  // namespace sysfence::record
