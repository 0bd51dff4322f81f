// SPDX-License-Identifier: Apache-2.0
// What the eBPF recorder's loader writes into the program's fd_calls and fd_call_values maps: the
// descriptor-giving syscalls of data/fd-syscalls.tsv (syscalls/fd_syscalls.h) at their numbers on
// x86_64, i386 (compat) and x32, with argument indexes in each ABI's own order.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bpf/record_types.h"
#include "core/result.h"

namespace sysfence::record {

/// One fd_calls entry: slot abi * SF_FD_NRS + number (record_types.h), what the program tests, and
/// for SF_FD_RETURNED_IF_ARG_IN the argument values that make the call give a descriptor.
struct FdCallEntry {
  std::string_view name;  ///< the syscall
  uint32_t slot;
  sf_fd_call call;
  std::vector<uint32_t> values;
};

/// The entries for every ABI the recorder distinguishes, sorted by slot. kInternal when a fact does
/// not fit the program's tables (a number past SF_FD_NRS, an argument its ABI's signature lacks,
/// more values than SF_FD_VALUES): a bug in the data, caught by the unit test.
Result<std::vector<FdCallEntry>> FdCallEntries();

}  // namespace sysfence::record
