// SPDX-License-Identifier: Apache-2.0
// The three recorders behind Record() (recorder.h). Each expects options already checked by
// CheckRecordOptions and fills RecordResult except `backend` and `notes`.
#pragma once

#include <vector>

#include "core/result.h"
#include "record/fd_call_table.h"
#include "record/recorder.h"

namespace sysfence::record {

/// The ptrace recorder: launch (seccomp RET_TRACE stops) or attach (-p, PTRACE_SYSCALL).
Result<RecordResult> RecordWithPtrace(const RecordOptions& options, const std::string& program);

/// The user-notification recorder (launch only).
Result<RecordResult> RecordWithUnotify(const RecordOptions& options, const std::string& program);

/// The eBPF recorder (launch or attach).
Result<RecordResult> RecordWithEbpf(const RecordOptions& options, const std::string& program);

/// Whether this build has the eBPF backend, and whether it can load here (root, BTF, tracepoints).
/// The error says why not (kUnsupported: not built or kernel lacks it; kPermission: privileges).
Result<void> EbpfUsable();

/// Loads the eBPF recording program, fills its descriptor tables as a recording does (FdCallEntries)
/// and reads them back from the kernel, sorted by slot (names left empty): proof that the program
/// counts what data/fd-syscalls.tsv says. Errors as RecordWithEbpf's loading.
Result<std::vector<FdCallEntry>> LoadedFdCalls();

}  // namespace sysfence::record
