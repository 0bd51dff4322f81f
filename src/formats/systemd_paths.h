// SPDX-License-Identifier: Apache-2.0
// A policy's Landlock rules (`fs`, `net`) as systemd sandbox settings. Landlock denies every path
// and TCP port not granted; systemd sandboxes by mounts and cgroup hooks:
//  - the whole tree read-only (ReadOnlyPaths=/), the paths granted a writing right read-write
//    (ReadWritePaths=), and the usual top-level folders that hold no granted path hidden
//    (InaccessiblePaths=-/home ...): reads elsewhere are widened, with a warning;
//  - no execution anywhere (NoExecPaths=/) but beneath paths granted execute or read-file
//    (ExecPaths=): noexec also stops mapping libraries, which Landlock's read allows;
//  - `net bind tcp PORT` as SocketBindAllow=tcp:PORT after SocketBindDeny=tcp:1-65535; `net
//    connect` has no systemd counterpart (warning).
#pragma once

#include "formats/systemd_writer.h"
#include "policy/policy.h"

namespace sysfence::formats::systemd {

/// Writes the file-system settings for `policy`'s fs rules (nothing when it has none).
void WritePaths(const policy::Policy& policy, DropInText& out);

/// Writes the socket-bind settings for `policy`'s net rules (nothing when it has none).
void WriteNetwork(const policy::Policy& policy, DropInText& out);

}  // namespace sysfence::formats::systemd
