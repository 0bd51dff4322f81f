// SPDX-License-Identifier: Apache-2.0
// The loop on real Debian programs: record work A, monitor new work B under that policy, merge the
// events into the policy, and repeat until a monitored run reports nothing the merge would add;
// then enforce A and B: no denial, the same output as without sysfence, every condition of the
// first policy still there, and `check` clean on every policy on the way. Prints one line per
// program with what docs/record.md's table reports (allowed syscalls, conditions, rounds).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_paths.h"

namespace {

namespace fs = std::filesystem;

std::string Sysfence() { return sysfence::test_paths::SysfenceCli(); }

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `argv` with stdin from /dev/null and stdout/stderr into files; returns the exit status.
int Spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Lines of `text` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  }
  return lines;
}

// Denials in an events file: syscall events, less the ENOSYS answers the policy gives fallback
// twins on purpose (clone3 answered ENOSYS so that libc uses clone: the kernel logs each one).
size_t Denials(const fs::path& events) {
  size_t count = 0;
  for (const std::string& line : LinesStartingWith(ReadAll(events), "{")) {
    count += line.find("\"type\":\"syscall\"") != std::string::npos &&
             line.find("\"action\":\"errno ENOSYS\"") == std::string::npos;
  }
  return count;
}

// The summary's suggested lines of an events file.
std::vector<std::string> SuggestedLines(const fs::path& events) {
  std::vector<std::string> lines;
  for (const std::string& line : LinesStartingWith(ReadAll(events), "{")) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.value("type", "") == "summary" && json.contains("suggested_lines")) {
      for (const auto& suggested : json["suggested_lines"]) lines.push_back(suggested.get<std::string>());
    }
  }
  return lines;
}

// `line` with the spaces around '|' the canonical printer adds removed ("A | B" -> "A|B").
std::string Unspaced(std::string line) {
  for (size_t at = line.find(" | "); at != std::string::npos; at = line.find(" | ", at)) line.replace(at, 3, "|");
  return line;
}

// The syscall names a policy allows (the targets of its allow lines).
std::set<std::string> AllowedNames(const std::string& policy) {
  std::set<std::string> names;
  for (const std::string& line : LinesStartingWith(policy, "allow ")) {
    std::istringstream words(line.substr(6));
    std::string word;
    while (words >> word && word != "if" && word != "on") names.insert(word);
  }
  return names;
}

class Loop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the e2e suite runs as root (CI does) [feature: root]";
    dir_ = fs::temp_directory_path() / ("sysfence-loop-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // `sh -c "cd FRESH_DIR && SCRIPT"`, optionally under sysfence `mode` ("record", "monitor",
  // "enforce") with `policy`; returns the exit status; output in TAG.out/.err, events in TAG.jsonl.
  int Work(const std::string& tag, const std::string& script, const std::string& mode = "",
           const fs::path& policy = {}) {
    const fs::path work = dir_ / ("work-" + tag);
    fs::create_directories(work);
    std::vector<std::string> argv;
    if (mode == "record") {
      argv = {Sysfence(), "record", "-q", "-o", policy.string(), "--"};
    } else if (mode == "monitor" || mode == "enforce") {
      argv = {Sysfence(), "run", "-q", "--policy", policy.string(), "--events", (dir_ / (tag + ".jsonl")).string()};
      if (mode == "monitor") argv.push_back("--monitor");
      argv.push_back("--");
    }
    argv.insert(argv.end(), {"/bin/sh", "-c", "cd '" + work.string() + "' && " + script});
    return Spawn(argv, dir_ / (tag + ".out"), dir_ / (tag + ".err"));
  }

  void ExpectCheckClean(const fs::path& policy) {
    const int status = Spawn({Sysfence(), "check", policy.string()}, dir_ / "check.out", dir_ / "check.err");
    EXPECT_EQ(status, 0) << policy << ":\n" << ReadAll(dir_ / "check.err") << "\n" << ReadAll(policy);
  }

  // Merges the events of `tags` into `from`, writing `to`; returns the number of lines added.
  int Merge(const fs::path& from, const std::vector<std::string>& tags, const fs::path& to) {
    std::vector<std::string> argv = {Sysfence(), "merge", from.string()};
    for (const std::string& tag : tags) argv.push_back((dir_ / (tag + ".jsonl")).string());
    argv.insert(argv.end(), {"-o", to.string()});
    EXPECT_EQ(Spawn(argv, dir_ / "merge.out", dir_ / "merge.err"), 0) << ReadAll(dir_ / "merge.err");
    const std::string err = ReadAll(dir_ / "merge.err");
    const size_t added = err.find(" line");
    return added == std::string::npos ? -1 : std::stoi(err.substr(err.rfind("sysfence: ", added) + 10));
  }

  // The loop for one program; `a` and `b` are shell scripts run in fresh folders.
  void Converge(const std::string& name, const std::string& a, const std::string& b, bool threads_in_b = false) {
    ASSERT_EQ(Work(name + "-native-a", a), 0) << ReadAll(dir_ / (name + "-native-a.err"));
    ASSERT_EQ(Work(name + "-native-b", b), 0) << ReadAll(dir_ / (name + "-native-b.err"));
    const fs::path first = dir_ / (name + "-1.sfp");
    ASSERT_EQ(Work(name + "-record-a", a, "record", first), 0) << ReadAll(dir_ / (name + "-record-a.err"));
    ExpectCheckClean(first);
    const std::vector<std::string> conditions = LinesStartingWith(ReadAll(first), "allow ");
    fs::path policy = first;
    int rounds = 0;
    std::vector<std::string> tags = {name + "-monitor-b"};
    for (int round = 1; round <= 3; ++round) {
      for (const std::string& tag : tags) {
        const std::string work = tag.back() == 'a' ? a : b;
        ASSERT_EQ(Work(tag, work, "monitor", policy), 0) << ReadAll(dir_ / (tag + ".err"));
        // Monitor mode changes nothing the program sees.
        EXPECT_EQ(ReadAll(dir_ / (tag + ".out")), ReadAll(dir_ / (name + "-native-" + tag.back() + ".out"))) << tag;
      }
      const fs::path next = dir_ / (name + "-" + std::to_string(round + 1) + ".sfp");
      const int added = Merge(policy, tags, next);
      ExpectCheckClean(next);
      // What `run` suggested is what `merge` added (one function makes both).
      const std::string merged = Unspaced(ReadAll(next));
      for (const std::string& tag : tags) {
        for (const std::string& line : SuggestedLines(dir_ / (tag + ".jsonl"))) {
          if (line.rfind("#", 0) == 0) continue;
          EXPECT_NE(merged.find("\n" + Unspaced(line) + "\n"), std::string::npos) << line << "\n" << merged;
        }
      }
      policy = next;
      if (added == 0) break;
      rounds = round;
      // Tags end in a or b: the work they run.
      tags = {name + "-r" + std::to_string(round) + "-a", name + "-r" + std::to_string(round) + "-b"};
    }
    EXPECT_GE(rounds, 1) << "work B needed nothing new: the test proves nothing";
    EXPECT_LE(rounds, 2) << "no convergence in two rounds:\n" << ReadAll(policy);
    const std::string final_text = ReadAll(policy);
    // No condition lost: every allow rule of the first policy is still there, word for word.
    const std::string final_unspaced = Unspaced(final_text);
    for (const std::string& line : conditions) {
      EXPECT_NE(final_unspaced.find("\n" + Unspaced(line) + "\n"), std::string::npos)
          << "lost: " << line << "\n" << final_text;
    }
    for (const char* work : {"a", "b"}) {
      const std::string tag = name + "-enforce-" + work;
      EXPECT_EQ(Work(tag, work[0] == 'a' ? a : b, "enforce", policy), 0)
          << ReadAll(dir_ / (tag + ".err")) << "\n" << final_text;
      EXPECT_EQ(Denials(dir_ / (tag + ".jsonl")), 0u) << ReadAll(dir_ / (tag + ".jsonl")) << "\n" << final_text;
      EXPECT_EQ(ReadAll(dir_ / (tag + ".out")), ReadAll(dir_ / (name + "-native-" + work + ".out"))) << tag;
    }
    if (threads_in_b) {
      // B's threads came through clone3, answered ENOSYS (clone carries conditions): libc's
      // fallback to clone with thread flags is what the merged policy allows.
      EXPECT_NE(final_text.find("CLONE_THREAD"), std::string::npos) << final_text;
      EXPECT_NE(final_text.find("errno ENOSYS clone3"), std::string::npos) << final_text;
    }
    size_t conditioned = 0;
    for (const std::string& line : LinesStartingWith(final_text, "allow ")) conditioned += line.find(" if ") != std::string::npos;
    std::printf("[loop] %s: %zu syscalls allowed, %zu conditional rules, %d round%s of monitor+merge\n", name.c_str(),
                AllowedNames(final_text).size(), conditioned, rounds, rounds == 1 ? "" : "s");
  }

  fs::path dir_;
};

// git: A commits; B adds a bigger history and repacks it with threads (pack.threads), which the
// recording of A never saw (clone3, then the clone fallback with thread flags).
TEST_F(Loop, GitWithThreads) {
  const std::string setup =
      "export HOME=\"$PWD\" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' "
      "GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'; git init -q repo && cd repo && "
      "for i in 1 2 3; do echo $i > f$i; done && git add . && "
      "git -c user.name=t -c user.email=t@example.com commit -q -m first";
  const std::string a = setup + " && git log --format='%H %s'";
  const std::string b = setup +
                        " && seq 1 5000 > big && git add big && "
                        "git -c user.name=t -c user.email=t@example.com commit -q -m second && "
                        "git -c pack.threads=4 repack -q -a -d -f && git count-objects -v | grep in-pack && "
                        "git -c grep.threads=4 grep -c 7 HEAD -- big";
  Converge("git", a, b, /*threads_in_b=*/true);
}

// sqlite3: A creates a table and sums it; B uses write-ahead logging (shared mappings, more
// locks), an index and VACUUM.
TEST_F(Loop, Sqlite) {
  if (access("/usr/bin/sqlite3", X_OK) != 0) GTEST_SKIP() << "sqlite3 is not installed [feature: sqlite3]";
  const std::string a = "sqlite3 db 'create table t(a); insert into t values (1),(2),(3); select sum(a) from t;'";
  const std::string b =
      "sqlite3 db 'pragma journal_mode=wal; create table t(a, b); "
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000) "
      "insert into t select i, hex(randomblob(8)) from n; create index ib on t(b); "
      "select count(*), sum(a) from t; delete from t where a % 2 = 0; vacuum; select count(*) from t;'";
  Converge("sqlite3", a, b);
}

// xz: A compresses and decompresses with one thread; B with four (threads, clone fallback).
TEST_F(Loop, XzWithThreads) {
  if (access("/usr/bin/xz", X_OK) != 0) GTEST_SKIP() << "xz is not installed [feature: xz]";
  const std::string a = "seq 1 20000 > d && xz -T1 -k d && xz -T1 -dc d.xz | md5sum";
  const std::string b = "seq 1 400000 > d && xz -T4 --block-size=200000 -k d && xz -T4 -dc d.xz | md5sum";
  Converge("xz", a, b, /*threads_in_b=*/true);
}

// tar: A gzip, B xz, a symbolic link and extraction (new syscalls: symlinkat, utimensat, ...).
TEST_F(Loop, Tar) {
  const std::string a = "mkdir t && seq 1 1000 > t/a && tar czf o.tgz t && tar tzf o.tgz";
  const std::string b =
      "mkdir t && seq 1 100000 > t/a && ln -s a t/l && tar cJf o.txz t && mkdir x && tar xJf o.txz -C x && "
      "cmp t/a x/t/a && tar tJf o.txz | sort";
  Converge("tar", a, b);
}

// python3: A prints JSON; B hashes in a pool of threads. A never forks (the shell execs python),
// so clone is not allowed at all and B's clone3 is simply allowed: nothing to keep consistent.
TEST_F(Loop, PythonWithThreads) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "python3 is not installed [feature: python3]";
  const std::string a = "/usr/bin/python3 -c 'import json; print(json.dumps([1, 2]))'";
  const std::string b =
      "/usr/bin/python3 -c 'import concurrent.futures as f, hashlib; print(sum(f.ThreadPoolExecutor(4).map("
      "lambda i: len(hashlib.sha256(bytes(i)).hexdigest()), range(200))))'";
  Converge("python3", a, b);
}

}  // namespace
