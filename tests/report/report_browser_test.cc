// SPDX-License-Identifier: Apache-2.0
// `sysfence report` pages in a real headless browser (Debian's chromium, driven by load_page.py over
// the DevTools protocol with the network offline, under a temporary HOME): the page loads with no
// console error and no request but itself, every chart draws, and the numbers in the page are the
// inputs' own — for a real recorded program (tar, which runs gzip), a second recording, its
// policy, the events of a monitored run, and names chosen to break out of the page.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "tests/support/test_paths.h"

namespace sysfence {
namespace {

using nlohmann::json;
using testsupport::RunSysfence;
using testsupport::TempDir;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kHostileCommand = "</script><img id=injected src=x onerror=alert(1)>";
constexpr const char* kHostileName = "<b id=injected>gzip</b>";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads `page` with load_page.py and returns what it saw.
json LoadPage(const std::string& page) {
  const std::string command = "python3 " + test_paths::SourceDir() + "/tests/report/load_page.py '" + page + "'";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return json::parse(out, nullptr, false);
}

class ReportBrowserTest : public ::testing::Test {
 protected:
  // One set of inputs for the suite: recording them takes a few seconds.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string d = dir_->path();
    auto record = [&](const std::string& json_name, std::vector<std::string> program) {
      std::vector<std::string> args = {"record", "-q", "--backend", "ptrace", "--json", d + "/" + json_name, "-o",
                                       d + "/" + json_name + ".sfp", "--"};
      args.insert(args.end(), program.begin(), program.end());
      const auto result = RunSysfence(args);
      ASSERT_EQ(result.exit_status, 0) << result.err;
    };
    record("a.json", {"tar", "-czf", d + "/doc.tgz", "-C", "/usr/share/doc", "coreutils"});
    record("b.json", {"tar", "-cf", d + "/doc.tar", "-C", "/usr/share/doc", "coreutils"});
    // The events of a monitored run that does what the recording never did (extract).
    ASSERT_EQ(::mkdir((d + "/x").c_str(), 0755), 0);
    const auto monitored = RunSysfence({"run", "--monitor", "--policy", d + "/a.json.sfp", "--events",
                                        d + "/ev.jsonl", "--", "tar", "-xzf", d + "/doc.tgz", "-C", d + "/x"});
    ASSERT_EQ(monitored.exit_status, 0) << monitored.err;
    // A recording whose program named itself to break out of the page.
    json hostile = json::parse(ReadAll(d + "/a.json"));
    hostile["command"][0] = kHostileCommand;
    for (json& process : hostile["processes"]) process["name"] = kHostileName;
    dir_->Write("hostile.json", hostile.dump());
    std::string events = ReadAll(d + "/ev.jsonl");
    for (size_t at = 0; (at = events.find("\"comm\":\"tar\"", at)) != std::string::npos;) {
      events.replace(at, 12, "\"comm\":\"</script><b id=injected>\"");
    }
    dir_->Write("hostile-ev.jsonl", events);
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    if (access(kChromium, X_OK) != 0) GTEST_SKIP() << "no /usr/bin/chromium [feature: chromium]";
  }

  static std::string Path(const std::string& name) { return dir_->path() + "/" + name; }

  static TempDir* dir_;
};

TempDir* ReportBrowserTest::dir_ = nullptr;

// The page loaded offline with no console message and no request but its own file.
void ExpectCleanLoad(const json& seen, const std::string& page) {
  ASSERT_TRUE(seen.is_object());
  EXPECT_TRUE(seen["rendered"].get<bool>());
  EXPECT_EQ(seen["console"], json::array()) << seen["console"].dump();
  ASSERT_EQ(seen["requests"].size(), 1u) << seen["requests"].dump();
  EXPECT_EQ(seen["requests"][0]["url"], "file://" + page);
  EXPECT_FALSE(seen["requests"][0]["failed"].get<bool>());
}

// Every chart drew: at least `pixels` pixels of its screenshot are not background.
void ExpectChartsDrawn(const json& seen, const std::vector<std::string>& ids, int pixels) {
  std::map<std::string, int> drawn;
  for (const json& chart : seen["charts"]) drawn[chart["id"]] = chart["drawn_pixels"];
  EXPECT_EQ(drawn.size(), ids.size()) << seen["charts"].dump();
  for (const std::string& id : ids) {
    ASSERT_TRUE(drawn.count(id)) << id;
    EXPECT_GT(drawn[id], pixels) << id;
  }
}

// Each syscall row of the page's table holds the recording's count.
void ExpectSyscallTableIs(const json& rows, const json& recording) {
  std::map<std::string, uint64_t> counts;
  uint64_t total = 0;
  for (const json& record : recording["syscalls"]) {
    counts[record["name"]] += record["count"].get<uint64_t>();
    total += record["count"].get<uint64_t>();
  }
  ASSERT_EQ(rows.size(), counts.size());
  for (const json& row : rows) EXPECT_EQ(std::stoull(row[1].get<std::string>()), counts[row[0]]) << row.dump();
  EXPECT_EQ(total, recording["total_calls"].get<uint64_t>());
}

TEST_F(ReportBrowserTest, RecordingPolicyEventsAndDiffLoadOfflineDrawAndShowTheInputsNumbers) {
  const std::string page = Path("all.html");
  const auto made = RunSysfence({"report", Path("a.json"), Path("b.json"), Path("a.json.sfp"), Path("ev.jsonl"),
                                 "-o", page});
  ASSERT_EQ(made.exit_status, 0) << made.err;
  const json seen = LoadPage(page);
  ASSERT_TRUE(seen.is_object());
  ExpectCleanLoad(seen, page);
  ExpectChartsDrawn(seen, {"groups-0", "syscalls-0", "timeline-0", "groups-1", "syscalls-1", "timeline-1",
                           "violations-0", "diff-chart"}, 300);
  const json a = json::parse(ReadAll(Path("a.json")));
  const json b = json::parse(ReadAll(Path("b.json")));
  EXPECT_EQ(seen["figures"]["recording-0/total_calls"], std::to_string(a["total_calls"].get<uint64_t>()));
  EXPECT_EQ(seen["figures"]["recording-1/total_calls"], std::to_string(b["total_calls"].get<uint64_t>()));
  EXPECT_EQ(seen["figures"]["recording-0/distinct_syscalls"], std::to_string(a["syscalls"].size()));
  ExpectSyscallTableIs(seen["tables"]["syscall-table-0"], a);
  ExpectSyscallTableIs(seen["tables"]["syscall-table-1"], b);
  // The process tree: tar ran gzip (through a shell or directly); every node with its parent.
  std::set<std::pair<int, int>> tree, recorded;
  for (const json& node : seen["tree"]["tree-0"]) tree.insert({node[0].get<int>(), node[1].get<int>()});
  for (const json& process : a["processes"]) recorded.insert({process["pid"].get<int>(), process["parent"].get<int>()});
  EXPECT_EQ(tree, recorded);
  EXPECT_GE(tree.size(), 2u);
  // Violations by rule: the events file's own counts.
  std::map<std::string, int> by_rule;
  std::istringstream events(ReadAll(Path("ev.jsonl")));
  for (std::string line; std::getline(events, line);) {
    const json event = json::parse(line);
    if (event["type"] == "syscall") ++by_rule[event["rule"]];
  }
  ASSERT_FALSE(by_rule.empty());
  std::map<std::string, int> shown;
  for (const json& row : seen["tables"]["violation-rules-0"]) shown[row[0]] = std::stoi(row[1].get<std::string>());
  EXPECT_EQ(shown, by_rule);
  // The difference: gzip's calls only in a, each count as recorded.
  std::map<std::string, std::pair<uint64_t, uint64_t>> expected, diffed;
  for (const json& record : a["syscalls"]) expected[record["name"]].first += record["count"].get<uint64_t>();
  for (const json& record : b["syscalls"]) expected[record["name"]].second += record["count"].get<uint64_t>();
  for (const json& row : seen["tables"]["diff-table"]) {
    diffed[row[0]] = {std::stoull(row[1].get<std::string>()), std::stoull(row[2].get<std::string>())};
  }
  EXPECT_EQ(diffed, expected);
  EXPECT_FALSE(seen["tables"]["rules"].empty());
}

TEST_F(ReportBrowserTest, NamesTheProgramChoseStayText) {
  const std::string page = Path("hostile.html");
  const auto made = RunSysfence({"report", Path("hostile.json"), Path("hostile-ev.jsonl"), "-o", page});
  ASSERT_EQ(made.exit_status, 0) << made.err;
  const json seen = LoadPage(page);
  ASSERT_TRUE(seen.is_object());
  ExpectCleanLoad(seen, page);
  EXPECT_EQ(seen["scripts"], 3);
  EXPECT_EQ(seen["images"], 0);
  EXPECT_EQ(seen["injected"], 0);
  EXPECT_EQ(seen["title"], std::string("sysfence report: ") + kHostileCommand);
  ASSERT_EQ(seen["commands"].size(), 1u);
  EXPECT_EQ(seen["commands"][0].get<std::string>().rfind(kHostileCommand, 0), 0u);
  EXPECT_NE(seen["tree"]["tree-0"][0][2].get<std::string>().find(kHostileName), std::string::npos);
  ExpectChartsDrawn(seen, {"groups-0", "syscalls-0", "timeline-0", "violations-0"}, 300);
}

// The checks above can fail: a request, a script error and a blank chart are all seen.
TEST_F(ReportBrowserTest, TheDriverSeesRequestsErrorsAndBlankCharts) {
  const std::string plain = dir_->Write("plain.html",
                                        "<!DOCTYPE html><body data-rendered=yes><img src=\"http://192.0.2.1/x.png\">"
                                        "<canvas id=blank width=200 height=100></canvas></body>");
  const json seen = LoadPage(plain);
  ASSERT_TRUE(seen.is_object());
  ASSERT_EQ(seen["requests"].size(), 2u) << seen["requests"].dump();
  EXPECT_EQ(seen["requests"][1]["url"], "http://192.0.2.1/x.png");
  EXPECT_TRUE(seen["requests"][1]["failed"].get<bool>());  // offline
  ASSERT_EQ(seen["charts"].size(), 1u);
  EXPECT_EQ(seen["charts"][0]["drawn_pixels"], 0);
  // A report page with a request and an error slipped in: the page's policy refuses the request,
  // and both show on the console.
  ASSERT_EQ(RunSysfence({"report", Path("b.json"), "-o", Path("tampered.html")}).exit_status, 0);
  std::string tampered = ReadAll(Path("tampered.html"));
  tampered.insert(tampered.find("<header>"),
                  "<img src=\"http://192.0.2.1/y.png\"><script>throw new Error('tampered')</script>");
  const json refused = LoadPage(dir_->Write("tampered.html", tampered));
  ASSERT_TRUE(refused.is_object());
  const std::string console = refused["console"].dump();
  EXPECT_NE(console.find("Content Security Policy"), std::string::npos) << console;
  EXPECT_NE(console.find("tampered"), std::string::npos) << console;
}

}  // namespace
}  // namespace sysfence
