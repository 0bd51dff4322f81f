// SPDX-License-Identifier: Apache-2.0
// `--alert-exec CMD`: runs CMD (through /bin/sh -c) with one event's JSON on its standard input.
// Alerts are queued and run by a worker thread, rate-limited by a token bucket; when the bucket or
// the queue is empty-handed the alert is dropped and counted. The supervised program never waits
// for an alert.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace sysfence::run {

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
class TokenBucket {
 public:
  /// A full bucket.
  TokenBucket(double rate_per_second, double burst);
  /// Takes one token at time `now_ns` (monotonic); false when none is left.
  bool TryTake(int64_t now_ns);

 private:
  double rate_;
  double burst_;
  double tokens_;
  int64_t last_ns_ = -1;
};

/// Settings for alerts.
struct AlertOptions {
  std::string command;          ///< run as /bin/sh -c COMMAND
  double rate_per_second = 5;   ///< sustained alerts per second
  double burst = 20;            ///< alerts allowed at once
  size_t queue_limit = 64;      ///< queued alerts waiting for the worker
  int64_t command_timeout_ms = 10'000;  ///< an alert command running longer is killed
};

/// Runs alert commands on a worker thread.
class AlertDispatcher {
 public:
  /// Starts the worker.
  explicit AlertDispatcher(AlertOptions options);
  /// Drains the queue (waiting for running commands) and stops the worker.
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  /// Queues an alert for `event_json` (one line); never blocks. Returns false when it was dropped
  /// (rate limit or full queue).
  bool Submit(std::string event_json);

  /// Stops accepting alerts, runs what is queued, and joins the worker.
  void Finish();

  /// Alerts whose command was started.
  uint64_t sent() const;
  /// Alerts dropped by the rate limit or the queue limit.
  uint64_t dropped() const;
  /// Alert commands that could not be started or exited non-zero.
  uint64_t failed() const;

 private:
  void Work();
  bool RunCommand(const std::string& input, uint64_t dropped_before);

  AlertOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  TokenBucket bucket_;
  bool finishing_ = false;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
  uint64_t failed_ = 0;
  std::thread worker_;
};

}  // namespace sysfence::run
