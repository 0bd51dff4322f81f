// SPDX-License-Identifier: Apache-2.0
#include "inspect/cache_analysis.h"

#include "bpf/opcodes.h"
#include "core/action.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {

using bpf::Instruction;
using bpf::JumpOp;
namespace op = bpf::op;
namespace opcode = bpf::opcode;
namespace offset = bpf::offset;

bool IsConstantAllow(const bpf::Program& program, uint32_t audit_arch, int32_t nr) {
  uint32_t value = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Instruction& insn = program[pc];
    switch (insn.code) {
      case opcode::kLdAbs:
        if (insn.k == offset::kNr) {
          value = static_cast<uint32_t>(nr);
        } else if (insn.k == offset::kArch) {
          value = audit_arch;
        } else {
          return false;  // depends on arguments or the instruction pointer
        }
        break;
      case opcode::kRetK: return insn.k == seccomp_ret::kAllow;
      case opcode::kJa: pc += insn.k; break;
      case op::kJmp | op::kJeq | op::kK:
      case op::kJmp | op::kJgt | op::kK:
      case op::kJmp | op::kJge | op::kK:
      case op::kJmp | op::kJset | op::kK: {
        bool taken = false;
        switch (JumpOp(insn.code)) {
          case op::kJeq: taken = value == insn.k; break;
          case op::kJgt: taken = value > insn.k; break;
          case op::kJge: taken = value >= insn.k; break;
          default: taken = (value & insn.k) != 0; break;
        }
        pc += taken ? insn.jt : insn.jf;
        break;
      }
      case op::kAlu | op::kAnd | op::kK: value &= insn.k; break;
      default: return false;  // anything else is "not constant" to the kernel
    }
  }
  return false;  // ran off the end: impossible for a verified program
}

bool IsKernelFilterException(Arch arch, int32_t nr) { return arch == Arch::kX86_64 && (nr == 335 || nr == 336); }

uint32_t CacheBitmapSize(Arch arch) {
  if (arch == Arch::kX32) return 0;
  auto all = syscalls::AllOf(arch);
  if (all.empty()) return 0;
  return all.back().number + 1;
}

CacheReport AnalyzeCache(const bpf::Program& program, Arch arch, uint32_t bitmap_size) {
  CacheReport report;
  report.arch = arch;
  if (bitmap_size == 0) bitmap_size = CacheBitmapSize(arch);
  if (bitmap_size == 0) {
    report.cached_by_kernel = false;
    return report;
  }
  const uint32_t audit_arch = GetArchInfo(arch).audit_arch;
  report.entries.reserve(bitmap_size);
  for (uint32_t nr = 0; nr < bitmap_size; ++nr) {
    CacheEntry entry;
    entry.nr = nr;
    entry.kernel_exception = IsKernelFilterException(arch, static_cast<int32_t>(nr));
    entry.skipped = entry.kernel_exception || IsConstantAllow(program, audit_arch, static_cast<int32_t>(nr));
    if (entry.skipped) ++report.skipped_count;
    report.entries.push_back(entry);
  }
  return report;
}

std::vector<Arch> CachedArches(Arch kernel_arch) {
  switch (kernel_arch) {
    case Arch::kX86_64: return {Arch::kX86_64, Arch::kX86};
    case Arch::kAarch64: return {Arch::kAarch64, Arch::kArm};
    default: return {kernel_arch};
  }
}

}  // namespace sysfence::inspect
