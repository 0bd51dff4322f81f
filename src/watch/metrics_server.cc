// SPDX-License-Identifier: Apache-2.0
#include "watch/metrics_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

namespace sysfence::watch {

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("--metrics '{}': expected ADDR:PORT (e.g. 127.0.0.1:9464, [::1]:9464, :9464)", text));
  }
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("--metrics '{}': the port '{}' is not a number from 0 to 65535", text, port_text));
  }
  return ListenAddress{host, static_cast<uint16_t>(port)};
}

Result<MetricsServer> MetricsServer::Listen(const ListenAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  const int resolved = getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(), &hints, &found);
  if (resolved != 0) {
    return MakeError(ErrorCode::kInvalidInput,
                     fmt::format("--metrics: cannot resolve '{}': {}", address.host, gai_strerror(resolved)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  const std::string shown = fmt::format("{}:{}", address.host.empty() ? "*" : address.host, address.port);
  os::UniqueFd listener(socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) {
    return MakeError(ErrorCode::kOs, fmt::format("--metrics {}: socket: {}", shown, std::strerror(errno)));
  }
  const int on = 1;
  (void)setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (bind(listener.get(), found->ai_addr, found->ai_addrlen) != 0 || listen(listener.get(), 16) != 0) {
    const int err = errno;
    return MakeError(ErrorCode::kOs, fmt::format("--metrics {}: cannot listen: {}{}", shown, std::strerror(err),
                                                 err == EADDRINUSE ? " (another program holds the port)" : ""));
  }
  // Port 0 asks the kernel to choose: what was bound is what clients need, so read it back.
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return MakeError(ErrorCode::kOs, fmt::format("--metrics {}: getsockname: {}", shown, std::strerror(errno)));
  }
  auto [text, bound_port] = BoundAddress(bound);
  return MetricsServer(std::move(listener), bound_port, std::move(text));
}

std::pair<std::string, uint16_t> MetricsServer::BoundAddress(const sockaddr_storage& bound) {
  char host[INET6_ADDRSTRLEN] = {};
  if (bound.ss_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(&bound);
    inet_ntop(AF_INET6, &ipv6->sin6_addr, host, sizeof(host));
    const uint16_t port = ntohs(ipv6->sin6_port);
    return {fmt::format("[{}]:{}", host, port), port};
  }
  const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(&bound);
  inet_ntop(AF_INET, &ipv4->sin_addr, host, sizeof(host));
  const uint16_t port = ntohs(ipv4->sin_port);
  return {fmt::format("{}:{}", host, port), port};
}

std::vector<int> MetricsServer::fds() const {
  std::vector<int> fds{listener_.get()};
  for (const Client& client : clients_) fds.push_back(client.fd.get());
  return fds;
}

void MetricsServer::Answer(Client& client, const std::function<std::string()>& render) {
  const std::string_view request(client.request);
  const std::string_view line = request.substr(0, request.find('\r'));
  std::string body;
  std::string status = "200 OK";
  std::string type = "text/plain; version=0.0.4; charset=utf-8";
  if (line.starts_with("GET /metrics ") || line == "GET /metrics" || line.starts_with("GET /metrics?")) {
    body = render();
  } else {
    status = line.starts_with("GET ") ? "404 Not Found" : "405 Method Not Allowed";
    type = "text/plain; charset=utf-8";
    body = "sysfence watch serves GET /metrics\n";
  }
  std::string response = fmt::format("HTTP/1.0 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                     status, type, body.size());
  response += body;
  // A client that does not read its answer within the timeout loses it; the loop goes on.
  timeval timeout{1, 0};
  (void)setsockopt(client.fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  const int flags = 0;
  size_t sent = 0;
  while (sent < response.size()) {
    pollfd writable{client.fd.get(), POLLOUT, 0};
    if (poll(&writable, 1, 1000) <= 0) break;
    const ssize_t wrote = send(client.fd.get(), response.data() + sent, response.size() - sent, flags | MSG_NOSIGNAL);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) break;
    sent += static_cast<size_t>(wrote);
  }
  ++served_;
}

void MetricsServer::Handle(const std::function<std::string()>& render, int64_t now_ms) {
  for (;;) {
    os::UniqueFd accepted(accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!accepted.valid()) break;
    if (clients_.size() >= kMaxClients) continue;  // closed at once: the scraper retries
    clients_.push_back(Client{std::move(accepted), {}, now_ms});
  }
  for (size_t i = 0; i < clients_.size();) {
    Client& client = clients_[i];
    bool done = false;
    char buffer[2048];
    for (;;) {
      const ssize_t got = recv(client.fd.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (got > 0) {
        client.request.append(buffer, static_cast<size_t>(got));
        if (client.request.size() > kMaxRequestBytes) done = true;
        if (done) break;
        continue;
      }
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) done = true;
      if (got < 0 && errno == EINTR) continue;
      break;
    }
    const bool complete = client.request.find("\r\n\r\n") != std::string::npos ||
                          client.request.find("\n\n") != std::string::npos;
    if (complete && client.request.size() <= kMaxRequestBytes) {
      Answer(client, render);
      done = true;
    }
    if (done || now_ms - client.since_ms > kClientTimeoutMs) {
      clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

}  // namespace sysfence::watch
