// SPDX-License-Identifier: Apache-2.0
// A minimal HTTP/1.0 endpoint for Prometheus: GET /metrics answers the text exposition format,
// anything else 404. Non-blocking and driven by the watcher's poll loop, so a slow or hostile
// client can hold one of at most kMaxClients slots for at most kClientTimeoutMs, never the loop.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "os/unique_fd.h"

namespace sysfence::watch {

/// An ADDR:PORT split ("127.0.0.1:9464", "[::1]:9464", ":9464" = every address).
struct ListenAddress {
  std::string host;  ///< "" for every address
  uint16_t port = 0;
};

/// Parses ADDR:PORT; kInvalidInput naming what is wrong.
Result<ListenAddress> ParseListenAddress(const std::string& text);

/// The listening socket and its clients.
class MetricsServer {
 public:
  static constexpr size_t kMaxClients = 16;
  static constexpr int64_t kClientTimeoutMs = 5000;
  static constexpr size_t kMaxRequestBytes = 8192;

  /// Binds and listens. kOs naming the address when it is in use or cannot be bound.
  static Result<MetricsServer> Listen(const ListenAddress& address);

  /// The descriptors to poll for readability: the listener and every client.
  [[nodiscard]] std::vector<int> fds() const;
  /// The port bound: the kernel's choice when port 0 was asked for.
  [[nodiscard]] uint16_t port() const { return port_; }
  /// The address bound, numeric, as ADDR:PORT ("127.0.0.1:40123", "[::1]:40123", "0.0.0.0:9464"):
  /// what a client connects to, with the port the kernel chose for port 0.
  [[nodiscard]] const std::string& address() const { return address_; }
  /// `bound` (from getsockname) as address() spells it, and its port.
  static std::pair<std::string, uint16_t> BoundAddress(const sockaddr_storage& bound);
  /// Requests answered.
  [[nodiscard]] uint64_t served() const { return served_; }

  /// Accepts new clients, reads requests and answers complete ones with `render()`; drops clients
  /// that took longer than kClientTimeoutMs. Never blocks for long: answers are written with a
  /// one-second send timeout. `now_ms` is monotonic.
  void Handle(const std::function<std::string()>& render, int64_t now_ms);

 private:
  struct Client {
    os::UniqueFd fd;
    std::string request;
    int64_t since_ms = 0;
  };
  MetricsServer(os::UniqueFd listener, uint16_t port, std::string address)
      : listener_(std::move(listener)), port_(port), address_(std::move(address)) {}
  void Answer(Client& client, const std::function<std::string()>& render);

  os::UniqueFd listener_;
  uint16_t port_ = 0;
  std::string address_;
  std::vector<Client> clients_;
  uint64_t served_ = 0;
};

}  // namespace sysfence::watch
