// SPDX-License-Identifier: Apache-2.0
#include "record/process_tree.h"

#include <algorithm>

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

}  // namespace sysfence::record
