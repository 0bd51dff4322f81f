// SPDX-License-Identifier: Apache-2.0
// The back half of the compiler: IR -> seccomp-BPF program.
#pragma once

#include "bpf/program.h"
#include "codegen/compile.h"
#include "core/result.h"
#include "ir/ir.h"

namespace sysfence::codegen {

/// Compiles an IR (with at least one table) into a program: an AUDIT_ARCH dispatch (unlisted ABIs
/// get badarch), then per ABI one search over the syscall numbers (x86_64 and x32 share a search,
/// the x32 bit being part of the number), then each range's decision with argument words loaded
/// only there. Fails (kLimit) past 4096 instructions.
Result<bpf::Program> CompileIr(const ir::Ir& ir, const CompileOptions& options = {});

}  // namespace sysfence::codegen
