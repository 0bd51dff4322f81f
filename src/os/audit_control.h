// SPDX-License-Identifier: Apache-2.0
// The kernel audit subsystem's state and knobs over a unicast NETLINK_AUDIT socket: AUDIT_GET
// (enabled, lost records, backlog) and AUDIT_SET (enabled, rate limit, backlog limit). Reading
// and setting need CAP_AUDIT_CONTROL.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.h"

namespace sysfence::os {

/// struct audit_status as AUDIT_GET returns it (the fields sysfence uses).
struct AuditStatus {
  uint32_t enabled = 0;        ///< 0 off, 1 on, 2 on and locked
  uint32_t failure = 0;        ///< what the kernel does when it loses records (0 silent, 1 printk, 2 panic)
  uint32_t pid = 0;            ///< the registered audit daemon (auditd), 0 when none
  uint32_t rate_limit = 0;     ///< records per second, 0 = unlimited
  uint32_t backlog_limit = 0;  ///< records queued before the kernel drops them
  uint32_t lost = 0;           ///< records the kernel dropped since boot (all readers)
  uint32_t backlog = 0;        ///< records queued now
};

/// Asks the kernel for its audit status. kUnsupported when the kernel has no audit, kPermission
/// without CAP_AUDIT_CONTROL.
Result<AuditStatus> GetAuditStatus();

/// Changes for AUDIT_SET; unset fields are left alone.
struct AuditSettings {
  std::optional<uint32_t> enabled;
  std::optional<uint32_t> rate_limit;
  std::optional<uint32_t> backlog_limit;
};

/// Applies `settings` with AUDIT_SET (machine-wide). The error names the setting the kernel
/// refused (enabled=2 locks the configuration until reboot: EPERM).
Result<void> SetAuditSettings(const AuditSettings& settings);

}  // namespace sysfence::os
