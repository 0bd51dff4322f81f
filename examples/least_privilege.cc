// SPDX-License-Identifier: Apache-2.0
// least_privilege: a server-like program started as root that gives up what it does not need before
// it handles anything, through sysfence: it keeps only CAP_NET_BIND_SERVICE, moves into new network,
// IPC and UTS namespaces (only a loopback interface), may hold at most 32 open files, and runs
// under a seccomp filter; then it shows what it can still do.
//
// Usage: least_privilege   (as root: dropping capabilities and new namespaces need it)
//   Prints the policy (the .sfp text `sysfence fmt` would print for the same lines), the sandbox
//   report, then one line per check: binding port 80 on 127.0.0.1 (allowed: the capability is
//   kept), setting the host name (refused: CAP_SYS_ADMIN is gone), the network interfaces (lo
//   only), and the highest descriptor it could open before EMFILE. Exit status 0 when every check
//   came out as the policy says, 1 otherwise, 2 on bad usage, 3 when the sandbox could not be
//   applied.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <sysfence/sysfence.h>

namespace {

// Prints one check; returns whether it came out as expected.
bool Report(const char* what, bool ok, const std::string& detail, bool expect_ok) {
  printf("%-24s %-4s %s\n", what, ok ? "ok" : "fail", detail.c_str());
  return ok == expect_ok;
}

bool BindPort80() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(80);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  const std::string detail = bound ? "127.0.0.1:80" : strerror(errno);
  if (fd >= 0) close(fd);
  return Report("bind 127.0.0.1:80", bound, detail, true);
}

bool SetHostName() {
  const bool set = sethostname("sandboxed", 9) == 0;
  return Report("sethostname", set, set ? "" : strerror(errno), false);
}

bool OnlyLoopback() {
  std::string names;
  struct if_nameindex* list = if_nameindex();
  for (struct if_nameindex* entry = list; list != nullptr && entry->if_index != 0; ++entry) {
    names += names.empty() ? "" : " ";
    names += entry->if_name;
  }
  if (list != nullptr) if_freenameindex(list);
  return Report("interfaces", names == "lo", names, true);
}

// Opens /dev/null until the kernel refuses: with `rlimit NOFILE 32`, every descriptor up to 31 gets
// used (the lowest free one is always taken), then EMFILE.
bool OpenUntilEmfile() {
  int highest = -1;
  int fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) highest = fd;
  const bool at_limit = errno == EMFILE && highest == 31;
  return Report("open /dev/null", at_limit, "up to fd " + std::to_string(highest) + ", then " + strerror(errno), true);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 1) {
    fprintf(stderr, "usage: %s   (no arguments; run as root)\n", argv[0]);
    return 2;
  }
  sysfence::StatusOr<sysfence::Policy> policy =
      sysfence::PolicyBuilder()
          .Default("allow")  // this example is about privileges; see self_sandbox.cc for syscalls
          .Rule("errno EPERM", {"ptrace", "process_vm_writev", "kexec_load", "init_module"})
          .KeepCapabilities({"CAP_NET_BIND_SERVICE"})  // caps keep CAP_NET_BIND_SERVICE
          .Unshare({"net", "ipc", "uts"})               // unshare net ipc uts
          .Rlimit("NOFILE", 32)                         // rlimit NOFILE 32
          .Build();
  if (!policy.ok()) {
    fprintf(stderr, "least_privilege: %s\n", policy.status().message().c_str());
    return 2;
  }
  printf("%s--\n", policy->ToText().c_str());
  sysfence::StatusOr<sysfence::SandboxReport> report = sysfence::ApplySandbox(*policy);
  if (!report.ok()) {
    fprintf(stderr, "least_privilege: %s\n", report.status().message().c_str());
    return 3;
  }
  printf("%s", report->ToString().c_str());

  bool as_expected = true;
  as_expected &= BindPort80();
  as_expected &= SetHostName();
  as_expected &= OnlyLoopback();
  as_expected &= OpenUntilEmfile();
  return as_expected ? 0 : 1;
}
