// SPDX-License-Identifier: Apache-2.0
// The OCI hook's cost: a busybox container run by runc with the recording hook against without it,
// beside its target, the ebpf recorder's own ratio on the same work outside a container
// (`sysfence record --backend ebpf` against the bare work); and the time from the container's exit
// (runc returning) to the profile being in place. Root, runc and busybox-static; prints medians
// and ratios. See docs/performance.md, "Containers".
//   container_bench [SYSFENCE_BINARY] [RUNS]
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int Shell(const std::string& command) { return std::system(command.c_str()); }

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The work: a shell loop of 2000 builtin-free commands' worth of syscalls (about 0.1 s).
constexpr const char* kWork = "i=0; while [ $i -lt 300 ]; do ls / >/dev/null; i=$((i+1)); done; echo done";

void WriteConfig(const std::string& bundle, const std::string& hook, const std::string& profile) {
  std::string annotations, hooks;
  if (!hook.empty()) {
    annotations = R"(, "annotations": {"org.sysfence.record": ")" + profile + R"("})";
    hooks = R"(, "hooks": {"prestart": [{"path": ")" + hook + R"(", "args": ["sysfence", "oci-hook"]}]})";
  }
  Shell("cd " + bundle + " && rm -f config.json && runc spec && python3 -c 'import json,sys; c=json.load(open(\"config.json\"));"
        " c[\"process\"][\"terminal\"]=False; c[\"process\"][\"args\"]=[\"/bin/sh\",\"-c\",sys.argv[1]];"
        " json.dump(c,open(\"config.json\",\"w\"))' '" + std::string(kWork) + "'");
  if (hook.empty()) return;
  // Splice the annotations and hooks into the top-level object.
  std::ifstream in(bundle + "/config.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.insert(text.rfind('}'), annotations + hooks);
  std::ofstream(bundle + "/config.json") << text;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string sysfence = argc > 1 ? argv[1] : "build/tools/sysfence/sysfence";
  const int runs = argc > 2 ? std::atoi(argv[2]) : 9;
  if (geteuid() != 0 || Shell("command -v runc >/dev/null") != 0) {
    std::fprintf(stderr, "container_bench: needs root and runc\n");
    return 3;
  }
  const std::string bundle = "/tmp/sysfence-container-bench";
  fs::remove_all(bundle);
  fs::create_directories(bundle + "/rootfs/bin");
  fs::copy_file("/bin/busybox", bundle + "/rootfs/bin/busybox");
  for (const char* applet : {"sh", "ls", "echo"}) fs::create_symlink("busybox", bundle + "/rootfs/bin/" + applet);
  const std::string profile = bundle + "/profile.sfp";
  const std::string hook = fs::absolute(sysfence).string();
  std::vector<double> plain, hooked, to_profile, bare, recorded;
  for (int i = 0; i < runs; ++i) {
    for (bool with_recorder : {false, true}) {
      const std::string work = "/bin/busybox sh -c '" + std::string(kWork) + "' >/dev/null";
      const std::string command =
          with_recorder ? hook + " record --backend ebpf -q -o /dev/null -- " + work : work;
      const auto start = Clock::now();
      if (Shell(command) != 0) return 3;
      (with_recorder ? recorded : bare).push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    for (bool with_hook : {false, true}) {
      WriteConfig(bundle, with_hook ? hook : "", profile);
      fs::remove(profile);
      const std::string id = "bench" + std::to_string(i) + (with_hook ? "h" : "p");
      const auto start = Clock::now();
      if (Shell("runc --root " + bundle + "/state run --bundle " + bundle + " " + id + " >/dev/null") != 0) {
        std::fprintf(stderr, "container_bench: runc failed\n");
        return 3;
      }
      const auto exited = Clock::now();
      (with_hook ? hooked : plain).push_back(std::chrono::duration<double>(exited - start).count());
      if (!with_hook) continue;
      while (!fs::exists(profile)) {
        if (Clock::now() - exited > std::chrono::seconds(10)) {
          std::fprintf(stderr, "container_bench: no profile after 10 s\n");
          return 3;
        }
        usleep(1000);
      }
      to_profile.push_back(std::chrono::duration<double>(Clock::now() - exited).count());
    }
  }
  const double p = Median(plain), h = Median(hooked);
  std::printf("container run (runc, busybox sh loop), median of %d\n", runs);
  std::printf("  without hook            %8.3f s\n", p);
  std::printf("  with recording hook     %8.3f s   ratio %.2f\n", h, h / p);
  const double b = Median(bare), r = Median(recorded);
  std::printf("anchor: the same work outside a container\n");
  std::printf("  bare                    %8.3f s\n", b);
  std::printf("  sysfence record (ebpf)  %8.3f s   ratio %.2f (the hook's target)\n", r, r / b);
  std::printf("  container exit -> profile written  %6.1f ms (median; max %.1f ms)\n", Median(to_profile) * 1e3,
              *std::max_element(to_profile.begin(), to_profile.end()) * 1e3);
  fs::remove_all(bundle);
  return 0;
}
