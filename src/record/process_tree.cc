// SPDX-License-Identifier: Apache-2.0
#include "record/process_tree.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sysfence::record {
namespace {

// The numeric entries of a /proc folder.
std::vector<pid_t> NumericEntries(const std::string& folder) {
  std::vector<pid_t> ids;
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return ids;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long id = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && id > 0) ids.push_back(static_cast<pid_t>(id));
  }
  closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces and
// parentheses, so read after the last ')'); 0 when the process is gone.
pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  long parent = 0;
  rest >> state >> parent;
  return static_cast<pid_t>(parent);
}

}  // namespace

std::vector<pid_t> ProcessTree(pid_t pid) {
  if (NumericEntries("/proc/" + std::to_string(pid) + "/task").empty()) return {};
  std::map<pid_t, std::vector<pid_t>> children;
  for (pid_t process : NumericEntries("/proc")) children[ParentOf(process)].push_back(process);
  std::vector<pid_t> tree = {pid};
  for (size_t i = 0; i < tree.size(); ++i) {
    auto it = children.find(tree[i]);
    if (it == children.end()) continue;
    for (pid_t child : it->second) {
      if (std::find(tree.begin(), tree.end(), child) == tree.end()) tree.push_back(child);
    }
  }
  std::sort(tree.begin(), tree.end());
  return tree;
}

std::vector<pid_t> ThreadsOfTree(pid_t pid) {
  std::vector<pid_t> threads;
  for (pid_t process : ProcessTree(pid)) {
    const auto tasks = NumericEntries("/proc/" + std::to_string(process) + "/task");
    threads.insert(threads.end(), tasks.begin(), tasks.end());
  }
  std::sort(threads.begin(), threads.end());
  return threads;
}

}  // namespace sysfence::record
