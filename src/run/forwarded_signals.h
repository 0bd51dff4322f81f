// SPDX-License-Identifier: Apache-2.0
// The signals `run` passes on to the program it started (SIGINT, SIGTERM, SIGHUP): blocked in
// sysfence for as long as a run lasts, so they can be read from a signalfd or sigtimedwait and
// forwarded instead of ending sysfence itself.
#pragma once

#include <signal.h>

namespace sysfence::run {

/// Blocks SIGINT, SIGTERM and SIGHUP and ignores SIGPIPE while it lives; on destruction it drops
/// what arrived but was not forwarded and restores the caller's mask and SIGPIPE disposition
/// (without letting a forwarded signal hit sysfence itself).
class ForwardedSignals {
 public:
  ForwardedSignals();
  ~ForwardedSignals();
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;

  /// The blocked set: what a signalfd or sigtimedwait should read.
  const sigset_t& set() const { return set_; }

 private:
  sigset_t set_;
  sigset_t previous_mask_;
  struct sigaction previous_pipe_ {};
};

}  // namespace sysfence::run
