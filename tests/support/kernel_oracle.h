// SPDX-License-Identifier: Apache-2.0
// The kernel oracle: runs a seccomp program in the real kernel without executing any syscall, to
// judge the evaluator (and the verifier) against the kernel itself.
//
// How: a forked child installs the program with every `ret` rewritten to `ret ERRNO | offset`, so
// each syscall returns -offset of the return the kernel reached and never runs. The child makes
// the syscalls with raw instructions (`syscall` for x86_64/x32 numbers, `int 0x80` for i386), so
// seccomp_data.arch, nr and args are exactly what the caller chose; instruction_pointer is the
// address after that instruction (InstructionPointer()). Results go to shared memory.
//
// - A 6-instruction prologue lets the child's own exit through: a syscall whose args[5] is the
//   64-bit magic value gets ALLOW. The prologue ends with `ld #0`, so the program under test starts
//   as always (A = X = 0, no memory written) and its jumps, being relative, are unchanged.
// - `ret a` reports its offset like `ret k`; to learn A's value too, the child then stacks three
//   more filters (for equal ERRNO actions the newest filter's data wins) in which every `ret a`
//   jumps to a tail returning ERRNO | ((A >> 12c) & 0xfff), c = 0, 1, 2.
// - `div x` with X == 0 makes the kernel return 0 (kill-thread): the child dies of SIGSYS (core
//   dumps disabled), the input is reported as killed, and a new child resumes after it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bpf/program.h"
#include "core/result.h"

namespace sysfence::testsupport {

/// Why a test's i386 half (inputs through `int 0x80`) did not run: a test checks its x86_64 half,
/// then skips with this reason, loudly, instead of passing without the i386 half. The tag lets the
/// skip guard (tests/guard/skip_guard.h) fail it in CI unless scripts/probe-machine.sh, running
/// a hand-made i386 program, agrees that this machine cannot run i386 code.
inline constexpr const char* kNoI386Reason =
    "the i386 half (int 0x80) did not run: this kernel has no IA-32 emulation (CONFIG_IA32_EMULATION off "
    "or ia32_emulation=0) [feature: ia32]";

/// How the oracle enters the kernel.
enum class OracleAbi : uint8_t {
  kX86_64,  ///< the `syscall` instruction: arch AUDIT_ARCH_X86_64 (x32 numbers have bit 30 set)
  kI386,    ///< `int 0x80` from the 64-bit child: arch AUDIT_ARCH_I386, 32-bit arguments
};

/// One syscall to present to the filter.
struct OracleInput {
  OracleAbi abi = OracleAbi::kX86_64;
  int32_t nr = 0;
  uint64_t args[6] = {0, 0, 0, 0, 0, 0};  ///< kI386: only the low 32 bits are passed
};

/// What the kernel did for one input.
struct OracleOutcome {
  bool killed = false;          ///< the filter returned 0 (only `div x` by zero can, after rewriting)
  uint32_t ret_offset = 0;      ///< offset of the ret the kernel reached (when !killed)
  std::optional<uint32_t> a;    ///< A's value at a `ret a` (when the reached ret is `ret a`)
};

/// The result of one Run.
struct OracleRun {
  bool accepted = false;  ///< the kernel accepted the (rewritten) program
  int install_errno = 0;  ///< errno of seccomp(2) when !accepted
  std::vector<OracleOutcome> outcomes;  ///< one per input, when accepted
};

/// Runs programs in the kernel. Needs x86_64 and seccomp filter support (not root).
class KernelOracle {
 public:
  /// Probes the kernel: fails (kUnsupported) without seccomp filters or off x86_64.
  static Result<KernelOracle> Create();

  /// True when `int 0x80` works in a 64-bit process (IA32 emulation enabled).
  bool SupportsI386() const { return i386_; }

  /// The seccomp_data the filter sees for `input` (arch token, nr, args, instruction pointer).
  SeccompData DataFor(const OracleInput& input) const;

  /// The magic args[5] value the prologue lets through; inputs must not use it.
  static constexpr uint64_t kMagic = 0x5f5ecc0a11d0e5a1ull;

  /// Installs `program` (at most 4096 - 6 - 4 instructions) in a child and presents every input.
  /// Inputs with abi kI386 need SupportsI386(); x86_64 inputs must avoid nr 335/336 (the kernel's
  /// uprobe syscalls bypass filters and would really run).
  Result<OracleRun> Run(const bpf::Program& program, std::span<const OracleInput> inputs) const;

 private:
  bool i386_ = false;
};

}  // namespace sysfence::testsupport
