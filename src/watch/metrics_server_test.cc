// SPDX-License-Identifier: Apache-2.0
#include "watch/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace sysfence::watch {
namespace {

// Connects to 127.0.0.1:`port`, sends `request`, serves it with `server`, and returns the answer.
std::string Exchange(MetricsServer& server, uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  for (int round = 0; round < 3; ++round) server.Handle([] { return std::string("metric_a 1\n"); }, 0);
  std::string answer;
  char buffer[4096];
  for (ssize_t got; (got = recv(fd, buffer, sizeof(buffer), 0)) > 0;) answer.append(buffer, static_cast<size_t>(got));
  close(fd);
  return answer;
}

TEST(ListenAddressTest, ParsesAndRefuses) {
  auto v4 = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = ParseListenAddress("[::1]:80");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  auto any = ParseListenAddress(":9464");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "");
  for (const char* bad : {"9464", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "1.2.3.4:-1"}) {
    auto parsed = ParseListenAddress(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos);
  }
}

TEST(MetricsServerTest, ServesMetricsAndRefusesOtherPaths) {
  auto server = MetricsServer::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(server.ok()) << server.error().message;
  const uint16_t port = server->port();
  ASSERT_NE(port, 0);
  const std::string ok = Exchange(*server, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.0 200 OK\r\n")) << ok;
  EXPECT_NE(ok.find("version=0.0.4"), std::string::npos);
  EXPECT_TRUE(ok.ends_with("\r\n\r\nmetric_a 1\n")) << ok;
  EXPECT_TRUE(Exchange(*server, port, "GET / HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 404"));
  EXPECT_TRUE(Exchange(*server, port, "POST /metrics HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 405"));
  EXPECT_EQ(server->served(), 3u);
}

// Port 0: the kernel chooses, and the address says which port it chose (what `watch` prints).
TEST(MetricsServerTest, AddressNamesThePortTheKernelChose) {
  auto v4 = MetricsServer::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  ASSERT_NE(v4->port(), 0);
  EXPECT_EQ(v4->address(), "127.0.0.1:" + std::to_string(v4->port()));
  EXPECT_TRUE(Exchange(*v4, v4->port(), "GET /metrics HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 200"));
  auto v6 = MetricsServer::Listen({"::1", 0});
  if (v6.ok()) {  // a kernel without IPv6 refuses ::1; the IPv4 case above still ran
    ASSERT_NE(v6->port(), 0);
    EXPECT_EQ(v6->address(), "[::1]:" + std::to_string(v6->port()));
  }
}

TEST(MetricsServerTest, APortInUseIsAClearError) {
  auto first = MetricsServer::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(first.ok());
  auto second = MetricsServer::Listen({"127.0.0.1", first->port()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kOs);
  EXPECT_NE(second.error().message.find("Address already in use"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find(std::to_string(first->port())), std::string::npos);
}

TEST(MetricsServerTest, OversizedOrSilentClientsAreDropped) {
  auto server = MetricsServer::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(server.ok());
  const std::string huge(MetricsServer::kMaxRequestBytes * 2, 'A');
  const std::string answer = Exchange(*server, server->port(), huge);
  EXPECT_EQ(answer, "");  // closed without an answer
  // A client that connects and says nothing holds a slot until the timeout, then loses it.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  server->Handle([] { return std::string(); }, 0);
  EXPECT_EQ(server->fds().size(), 2u);
  server->Handle([] { return std::string(); }, MetricsServer::kClientTimeoutMs + 1);
  EXPECT_EQ(server->fds().size(), 1u);
  close(fd);
}

}  // namespace
}  // namespace sysfence::watch
