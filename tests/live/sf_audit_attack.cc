// SPDX-License-Identifier: Apache-2.0
// sf_audit_attack: what a confined program would try against the audit trail of its Landlock
// denials, each step printed as one line:
//
//   forge PATH      send audit messages that read like a Landlock denial of PATH: as a user message
//                   (AUDIT_USER_AVC, what CAP_AUDIT_WRITE allows) and as the kernel's own type
//                   (AUDIT_LANDLOCK_ACCESS, 1423) -> "forge-user sent|blocked ERRNO", "forge-1423 ..."
//   disable         switch audit off (AUDIT_SET enabled=0) -> "disable done|blocked ERRNO"
//   read PATH       open PATH for reading -> "read ok|ERRNO"
//
// Steps run in the order given: sf_audit_attack forge /x disable read /secret
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Sends one audit message of `type` with `payload` and reads the kernel's acknowledgement; 0 or
// the errno.
int SendAudit(uint16_t type, const void* payload, size_t size) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return errno;
  std::vector<char> message(NLMSG_SPACE(size), 0);
  auto* header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(size));
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  header->nlmsg_seq = 1;
  std::memcpy(NLMSG_DATA(header), payload, size);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  int result = 0;
  if (sendto(fd, message.data(), header->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    result = errno;
  } else {
    char reply[8192];
    const ssize_t got = recv(fd, reply, sizeof(reply), 0);
    const auto* ack = reinterpret_cast<const nlmsghdr*>(reply);
    if (got >= static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) && ack->nlmsg_type == NLMSG_ERROR) {
      result = -reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(ack))->error;
    }
  }
  close(fd);
  return result;
}

void Print(const char* step, int err, const char* ok) {
  if (err == 0) {
    std::printf("%s %s\n", step, ok);
  } else {
    std::printf("%s blocked %s\n", step, strerrorname_np(err));
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string step = argv[i];
    if (step == "forge" && i + 1 < argc) {
      const std::string text = std::string("domain=1a2b3c blockers=fs.read_file path=\"") + argv[++i] + "\" dev=\"vda\"";
      Print("forge-user", SendAudit(AUDIT_USER_AVC, text.c_str(), text.size() + 1), "sent");
      Print("forge-1423", SendAudit(1423, text.c_str(), text.size() + 1), "sent");
    } else if (step == "disable") {
      audit_status status{};
      status.mask = AUDIT_STATUS_ENABLED;
      status.enabled = 0;
      Print("disable", SendAudit(AUDIT_SET, &status, sizeof(status)), "done");
    } else if (step == "read" && i + 1 < argc) {
      const int fd = open(argv[++i], O_RDONLY | O_CLOEXEC);
      if (fd >= 0) close(fd);
      std::printf("read %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
    }
  }
  std::fflush(stdout);
  return 0;
}
