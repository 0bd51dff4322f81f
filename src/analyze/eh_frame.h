// SPDX-License-Identifier: Apache-2.0
// Function ranges from .eh_frame: every function compiled with unwind tables (the default for C
// and C++ on x86_64 and aarch64) has a frame description entry giving its start and length, even
// in a stripped binary. This is how the analysis finds function boundaries without symbols.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "analyze/elf_file.h"

namespace sysfence::analyze {

/// Start address -> length of every function .eh_frame describes. A malformed entry ends the walk
/// (what was read stays); `*warning` then says where.
std::map<uint64_t, uint64_t> FunctionRangesFromEhFrame(const ElfFile& elf, std::string* warning);

}  // namespace sysfence::analyze
