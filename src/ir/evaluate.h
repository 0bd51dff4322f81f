// SPDX-License-Identifier: Apache-2.0
// The IR evaluator: what an Ir decides for one syscall (for tests and for naming the deciding rule).
#pragma once

#include "core/seccomp_data.h"
#include "ir/ir.h"
#include "policy/evaluate.h"

namespace sysfence::ir {

/// The 32-bit word `test` reads from `data`, before masking.
uint32_t ReadWord(const WordTest& test, const SeccompData& data);

/// Whether `test` holds on `data`.
bool TestHolds(const WordTest& test, const SeccompData& data);

/// Evaluates `ir` on `data`: the ABI comes from (arch, nr) as policy.h defines it; unlisted ABIs get
/// the badarch action, otherwise the decision DAG of nr's range decides.
policy::Decision Evaluate(const Ir& ir, const SeccompData& data);

}  // namespace sysfence::ir
