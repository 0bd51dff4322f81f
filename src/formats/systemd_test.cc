// SPDX-License-Identifier: Apache-2.0
// The systemd drop-in: its forms (allow list, `~` deny list with errnos, log default), widened
// argument conditions with what they lose, RestrictAddressFamilies= from socket's family
// conditions, fs/net rules, and a property over random policies: every call the policy may permit
// is permitted by the drop-in (widening never narrows), and no policy is refused.
#include "formats/systemd.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "core/arch.h"
#include "formats/systemd_facts.h"
#include "policy/evaluate.h"
#include "policy/parser.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"
#include "tests/support/random_policy.h"

namespace sysfence::formats {
namespace {

policy::Policy Parse(const std::string& text) {
  Diagnostics d;
  auto p = policy::ParsePolicy(text, "t.sfp", d);
  EXPECT_TRUE(p.has_value()) << text;
  return p ? *p : policy::Policy{};
}

std::string Export(const policy::Policy& p, Diagnostics& d) {
  auto unit = ExportSystemdUnit(p, d);
  EXPECT_TRUE(unit.ok());
  return unit.ok() ? *unit : "";
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool WarnedAbout(const Diagnostics& d, const std::string& part) {
  for (const Diagnostic& diagnostic : d.all()) {
    if (diagnostic.severity == Severity::kWarning && Has(diagnostic.message, part)) return true;
  }
  return false;
}

// The settings a drop-in makes: key -> every word of every line (in order).
std::map<std::string, std::vector<std::string>> Settings(const std::string& unit) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream lines(unit);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      ADD_FAILURE() << "not a setting: '" << line << "'";
      continue;
    }
    std::istringstream words(line.substr(eq + 1));
    std::string word;
    while (words >> word) out[line.substr(0, eq)].push_back(word);
  }
  return out;
}

TEST(SystemdExport, DenyListKeepsEachErrnoAndKills) {
  Diagnostics d;
  const std::string unit =
      Export(Parse("arch x86_64\ndefault allow\nerrno ENOSYS clone3\nkill ptrace\nerrno EACCES mount\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallFilter=~clone3:ENOSYS mount:EACCES ptrace\n")) << unit;
  EXPECT_FALSE(Has(unit, "\nSystemCallErrorNumber=")) << unit;  // it would turn the bare (killing) names into errnos
  EXPECT_TRUE(Has(unit, "NoNewPrivileges=yes\n"));
  EXPECT_TRUE(Has(unit, "SystemCallArchitectures=x86-64\n"));
  EXPECT_FALSE(d.HasWarnings()) << unit;
}

TEST(SystemdExport, AllowListWithErrnoAndAlwaysAllowedWarning) {
  Diagnostics d;
  const std::string unit = Export(
      Parse("arch x86_64 x86\ndefault errno EPERM\nallow read write exit_group\nlog uname\nerrno ENOSYS clone3\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallArchitectures=x86-64 x86\n")) << unit;
  EXPECT_TRUE(Has(unit, "SystemCallFilter=exit_group read uname write\n")) << unit;
  EXPECT_TRUE(Has(unit, "SystemCallErrorNumber=EPERM\n")) << unit;
  EXPECT_TRUE(Has(unit, "SystemCallLog=uname\n")) << unit;
  EXPECT_TRUE(WarnedAbout(d, "clone3: systemd's allow list gives it the default errno EPERM, not the policy's errno ENOSYS"));
  // execve is in systemd's @default set: always allowed, which the policy does not do.
  EXPECT_TRUE(WarnedAbout(d, "@default")) << unit;
  EXPECT_TRUE(Has(unit, "# warning: systemd always allows its @default set")) << unit;
  EXPECT_TRUE(Has(unit, "execve (errno EPERM)")) << unit;
}

TEST(SystemdExport, KillDefaultHasNoErrnoAndEmptyAllowListIsDefaultSet) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault kill\nkill read\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallFilter=@default\n")) << unit;  // an empty value would reset the filter
  EXPECT_FALSE(Has(unit, "\nSystemCallErrorNumber=")) << unit;
}

TEST(SystemdExport, ConditionsAreWidenedWithWhatIsLost) {
  Diagnostics d;
  const std::string unit = Export(
      Parse("arch x86_64\ndefault errno EPERM\nallow mmap if (prot & PROT_EXEC) == 0\nallow write if fd in {1, 2}\n"
            "errno EACCES openat if (flags & O_CREAT) == O_CREAT\n"),
      d);
  const auto settings = Settings(unit);
  const auto& filter = settings.at("SystemCallFilter");
  EXPECT_NE(std::find(filter.begin(), filter.end(), "write"), filter.end()) << unit;
  EXPECT_NE(std::find(filter.begin(), filter.end(), "mmap"), filter.end()) << unit;
  EXPECT_EQ(std::find(filter.begin(), filter.end(), "openat"), filter.end()) << unit;
  EXPECT_TRUE(WarnedAbout(d, "write: systemd gives allow for every argument and ABI; lost: allow write if fd in {1, 2} "
                             "(t.sfp:4:1); default errno EPERM"));
  EXPECT_TRUE(Has(unit, "# warning: write: systemd gives allow")) << unit;
  // Two denials: the less severe one wins, the other is named as lost.
  EXPECT_TRUE(WarnedAbout(d, "openat: systemd gives errno EPERM"));
}

TEST(SystemdExport, DenyListWidensConditionalDenialsToAllow) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault allow\nkill ptrace if request == 16\nkill kexec_load\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallFilter=~kexec_load\n")) << unit;
  EXPECT_TRUE(WarnedAbout(d, "ptrace: systemd gives allow"));
}

TEST(SystemdExport, ActionsSystemdLacksAreApproximated) {
  Diagnostics d;
  const std::string unit =
      Export(Parse("arch x86_64\ndefault allow\ntrap ptrace\nkill-thread kexec_load\ntrace 5 mount\nnotify umount2\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallFilter=~kexec_load mount:ENOSYS ptrace umount2:ENOSYS\n")) << unit;
  EXPECT_TRUE(WarnedAbout(d, "trap becomes kill"));
  EXPECT_TRUE(WarnedAbout(d, "kill-thread becomes kill"));
  EXPECT_TRUE(WarnedAbout(d, "trace becomes errno ENOSYS"));
}

TEST(SystemdExport, LogDefaultLogsAllButTheAllowedOnes) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault log\nallow read write\nkill ptrace\n"), d);
  EXPECT_TRUE(Has(unit, "SystemCallFilter=~ptrace\n")) << unit;
  EXPECT_TRUE(Has(unit, "SystemCallLog=~read write\n")) << unit;
}

TEST(SystemdExport, SocketFamiliesBecomeRestrictAddressFamilies) {
  Diagnostics d;
  const std::string unit =
      Export(Parse("arch x86_64\ndefault errno EPERM\nallow socket if family in {AF_INET, AF_INET6, AF_UNIX}\n"), d);
  EXPECT_TRUE(Has(unit, "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n")) << unit;
  EXPECT_FALSE(WarnedAbout(d, "socket: systemd gives allow")) << unit;  // the family is all that decides
  EXPECT_FALSE(WarnedAbout(d, "other conditions are lost"));
  // A condition on another argument is lost (and said so); the family part is still carried.
  Diagnostics d2;
  const std::string typed =
      Export(Parse("arch x86_64\ndefault errno EPERM\nallow socket if family == AF_NETLINK && type == 3\n"), d2);
  EXPECT_TRUE(Has(typed, "RestrictAddressFamilies=AF_NETLINK\n")) << typed;
  EXPECT_TRUE(WarnedAbout(d2, "socket's other conditions are lost"));
  // Moby's form: every family but one.
  Diagnostics d3;
  const std::string most = Export(Parse("arch x86_64\ndefault errno EPERM\nallow socket if family != AF_VSOCK\n"), d3);
  const auto families = Settings(most).at("RestrictAddressFamilies");
  EXPECT_EQ(std::find(families.begin(), families.end(), "AF_VSOCK"), families.end());
  EXPECT_NE(std::find(families.begin(), families.end(), "AF_NETLINK"), families.end());
  EXPECT_EQ(std::find(families.begin(), families.end(), "AF_LOCAL"), families.end());  // aliases left out
  // Unconditional socket: no restriction at all.
  Diagnostics d4;
  EXPECT_FALSE(Has(Export(Parse("arch x86_64\ndefault errno EPERM\nallow socket\n"), d4), "RestrictAddressFamilies"));
}

TEST(SystemdExport, FsRulesBecomePathSettings) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault allow\nfs read /etc /usr\nfs write /data\n"
                                        "fs read /data/in\nfs exec /usr/bin\nfs read \"/srv/my site\"\n"),
                                  d);
  const auto settings = Settings(unit);
  EXPECT_EQ(settings.at("ReadOnlyPaths"), std::vector<std::string>{"/"});
  // /data/in is beneath /data: Landlock gives it /data's write rights too, so it is not read-only.
  EXPECT_EQ(settings.at("ReadWritePaths"), std::vector<std::string>{"/data"});
  EXPECT_EQ(settings.at("NoExecPaths"), std::vector<std::string>{"/"});
  EXPECT_TRUE(Has(unit, "ExecPaths=/data/in /etc \"/srv/my site\" /usr\n")) << unit;
  const auto& hidden = settings.at("InaccessiblePaths");
  EXPECT_NE(std::find(hidden.begin(), hidden.end(), "-/home"), hidden.end()) << unit;
  EXPECT_EQ(std::find(hidden.begin(), hidden.end(), "-/srv"), hidden.end()) << unit;  // holds a granted path
  EXPECT_EQ(std::find(hidden.begin(), hidden.end(), "-/usr"), hidden.end()) << unit;
  EXPECT_TRUE(WarnedAbout(d, "fs /data: systemd also allows read"));
  EXPECT_TRUE(WarnedAbout(d, "cannot deny reading outside the fs paths"));
}

TEST(SystemdExport, NetRulesBecomeSocketBindSettings) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault allow\nnet bind tcp 8080\nnet connect tcp 5432\n"), d);
  EXPECT_TRUE(Has(unit, "SocketBindAllow=tcp:8080\nSocketBindDeny=tcp:1-65535\n")) << unit;
  EXPECT_TRUE(WarnedAbout(d, "net connect tcp 5432: systemd cannot limit outgoing TCP connections by port"));
}

TEST(SystemdExport, PathsAreQuotedForUnitFiles) {
  EXPECT_EQ(systemd::QuotePath("/srv/www"), "/srv/www");
  EXPECT_EQ(systemd::QuotePath("/srv/50%"), "/srv/50%%");
  EXPECT_EQ(systemd::QuotePath("/a b/\"c\"\\"), "\"/a b/\\\"c\\\"\\\\\"");
}

TEST(SystemdExport, UnitNames) {
  EXPECT_TRUE(IsValidUnitName("web"));
  EXPECT_TRUE(IsValidUnitName("getty@"));
  EXPECT_TRUE(IsValidUnitName("a-b_c.d:e"));
  EXPECT_FALSE(IsValidUnitName(""));
  EXPECT_FALSE(IsValidUnitName("a/b"));
  EXPECT_FALSE(IsValidUnitName("-x"));
  EXPECT_FALSE(IsValidUnitName("a b"));
  EXPECT_FALSE(IsValidUnitName(std::string(256, 'a')));
}

TEST(SystemdExport, AlwaysAllowedListIsSortedAndHasTheDocumentedCalls) {
  const auto names = systemd::AlwaysAllowed();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (std::string_view documented : {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}) {
    EXPECT_TRUE(systemd::IsAlwaysAllowed(documented)) << documented;
  }
  EXPECT_FALSE(systemd::IsAlwaysAllowed("read"));
}

TEST(SystemdExport, CapsUnshareAndRlimitBecomeServiceSettings) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault allow\ncaps keep CAP_NET_RAW CAP_NET_BIND_SERVICE\n"
                                        "unshare net ipc uts pid mount user cgroup\nrlimit NOFILE 1024 4096\n"
                                        "rlimit CORE 0\nrlimit AS unlimited\nrlimit CPU 10 unlimited\n"),
                                  d);
  EXPECT_TRUE(Has(unit, "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW\n")) << unit;
  EXPECT_TRUE(Has(unit, "\nAmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW\n")) << unit;
  for (const char* setting : {"PrivateNetwork=yes", "PrivateIPC=yes", "ProtectHostname=yes", "PrivateUsers=yes",
                              "PrivateMounts=yes"}) {
    EXPECT_TRUE(Has(unit, "\n" + std::string(setting) + "\n")) << setting << "\n" << unit;
  }
  EXPECT_TRUE(WarnedAbout(d, "unshare pid: systemd 252 has no setting"));
  EXPECT_TRUE(WarnedAbout(d, "unshare cgroup: systemd 252 has no setting"));
  EXPECT_TRUE(Has(unit, "\nLimitNOFILE=1024:4096\n")) << unit;
  EXPECT_TRUE(Has(unit, "\nLimitCORE=0\n")) << unit;
  EXPECT_TRUE(Has(unit, "\nLimitAS=infinity\n")) << unit;
  EXPECT_TRUE(Has(unit, "\nLimitCPU=10:infinity\n")) << unit;
}

TEST(SystemdExport, CapsKeepNoneEmptiesTheBoundingSet) {
  Diagnostics d;
  const std::string unit = Export(Parse("arch x86_64\ndefault allow\ncaps keep none\nunshare net\n"), d);
  EXPECT_TRUE(Has(unit, "\nCapabilityBoundingSet=\n")) << unit;
  EXPECT_FALSE(Has(unit, "\nAmbientCapabilities=")) << unit;
  EXPECT_TRUE(Has(unit, "\nPrivateNetwork=yes\n")) << unit;
  EXPECT_FALSE(Has(unit, "\nPrivateIPC=")) << unit;
  EXPECT_FALSE(d.HasWarnings()) << unit;
}

// What a drop-in permits, read back from its SystemCallFilter= lines.
struct FilterView {
  bool deny_list = false;
  std::set<std::string> names;
  bool Permits(const std::string& name) const {
    if (deny_list) return names.count(name) == 0;
    return names.count(name) != 0 || systemd::IsAlwaysAllowed(name);
  }
};

FilterView ReadFilter(const std::string& unit) {
  FilterView view;
  view.deny_list = true;  // no SystemCallFilter= line: nothing filtered
  bool first = true;
  auto settings = Settings(unit);
  for (const std::string& word : settings["SystemCallFilter"]) {
    std::string name = word;
    if (first) view.deny_list = name.starts_with("~");
    if (name.starts_with("~")) name = name.substr(1);
    view.names.insert(name.substr(0, name.find(':')));
    first = false;
  }
  return view;
}

TEST(SystemdExport, RandomPoliciesAreNeverRefusedAndNeverNarrowed) {
  constexpr uint64_t kValues[] = {0, 1, 2, 3, 10, 16, 0x7fffffff, 0xffffffff, 1ull << 32, ~0ull};
  int permitted_checks = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const policy::Policy p = policy::RandomPolicy(seed);
    Diagnostics d;
    auto unit = ExportSystemdUnit(p, d);
    ASSERT_TRUE(unit.ok()) << "seed " << seed;
    const FilterView view = ReadFilter(*unit);
    std::set<std::string> named;
    for (const policy::Rule& rule : p.rules) {
      for (const std::string& name : policy::ExpandTargets(rule)) named.insert(name);
    }
    for (Arch arch : p.arches) {
      for (const std::string& name : named) {
        auto nr = syscalls::NumberOf(arch, name);
        if (!nr) continue;
        for (uint64_t value : kValues) {
          SeccompData data;
          data.nr = static_cast<int32_t>(*nr);
          data.arch = GetArchInfo(arch).audit_arch;
          for (uint64_t& arg : data.args) arg = value;
          if (!policy::Evaluate(p, data).action.Permits()) continue;
          ++permitted_checks;
          EXPECT_TRUE(view.Permits(name)) << "seed " << seed << ": " << name << " on " << ArchName(arch)
                                          << " with every argument " << value << "\n" << *unit;
        }
      }
    }
  }
  EXPECT_GT(permitted_checks, 500);
}

}  // namespace
}  // namespace sysfence::formats
