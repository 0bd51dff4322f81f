// SPDX-License-Identifier: Apache-2.0
// The seccomp user-notification kernel interface, with the constants the 6.1 UAPI headers lack.
#pragma once

#include <linux/seccomp.h>
#include <sys/ioctl.h>

// Linux 6.6: ask the kernel to wake the notifying task on the supervisor's CPU (and back), which
// turns a notification round trip into two direct context switches.
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
