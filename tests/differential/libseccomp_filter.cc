// SPDX-License-Identifier: Apache-2.0
#include "tests/differential/libseccomp_filter.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/arguments.h"
#include "syscalls/syscalls.h"

namespace sysfence::differential {
namespace {

using policy::CompareOp;
using policy::Comparison;
using policy::Condition;

using Conjunction = std::vector<Comparison>;
using Disjunction = std::vector<Conjunction>;

constexpr size_t kMaxTerms = 64;

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

Error Unsupported(std::string what) { return MakeError(ErrorCode::kUnsupported, "libseccomp cannot express " + what); }

Result<Comparison> Negate(const Comparison& c) {
  Comparison n = c;
  switch (c.op) {
    case CompareOp::kEq: n.op = CompareOp::kNe; break;
    case CompareOp::kNe: n.op = CompareOp::kEq; break;
    case CompareOp::kLt: n.op = CompareOp::kGe; break;
    case CompareOp::kGe: n.op = CompareOp::kLt; break;
    case CompareOp::kLe: n.op = CompareOp::kGt; break;
    case CompareOp::kGt: n.op = CompareOp::kLe; break;
    case CompareOp::kMaskedEq: return Unsupported("a negated masked comparison");
  }
  return n;
}

// The condition as OR of ANDs (negations pushed down to the comparisons).
Result<Disjunction> ToDnf(const Condition& c, bool negated) {
  using Kind = Condition::Kind;
  switch (c.kind) {
    case Kind::kCompare: {
      if (!negated) return Disjunction{{c.compare}};
      auto n = Negate(c.compare);
      if (!n) return n.error();
      return Disjunction{{*n}};
    }
    case Kind::kNot: return ToDnf(c.children.at(0), !negated);
    case Kind::kAnd:
    case Kind::kOr: {
      const bool is_or = (c.kind == Kind::kOr) != negated;  // De Morgan
      Disjunction out = is_or ? Disjunction{} : Disjunction{Conjunction{}};
      for (const Condition& child : c.children) {
        auto d = ToDnf(child, negated);
        if (!d) return d.error();
        if (is_or) {
          out.insert(out.end(), d->begin(), d->end());
        } else {
          Disjunction product;
          for (const Conjunction& a : out) {
            for (const Conjunction& b : *d) {
              Conjunction both = a;
              both.insert(both.end(), b.begin(), b.end());
              product.push_back(std::move(both));
            }
          }
          out = std::move(product);
        }
        if (out.size() > kMaxTerms) return Unsupported("a condition this large");
      }
      return out;
    }
  }
  return Unsupported("this condition");
}

uint32_t ScmpArch(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return SCMP_ARCH_X86_64;
    case Arch::kX86: return SCMP_ARCH_X86;
    case Arch::kX32: return SCMP_ARCH_X32;
    case Arch::kAarch64: return SCMP_ARCH_AARCH64;
    case Arch::kArm: return SCMP_ARCH_ARM;
    case Arch::kRiscv64: return SCMP_ARCH_RISCV64;
    case Arch::kPpc64le: return SCMP_ARCH_PPC64LE;
    case Arch::kS390x: return SCMP_ARCH_S390X;
  }
  return 0;
}

scmp_compare ScmpOp(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return SCMP_CMP_EQ;
    case CompareOp::kNe: return SCMP_CMP_NE;
    case CompareOp::kLt: return SCMP_CMP_LT;
    case CompareOp::kLe: return SCMP_CMP_LE;
    case CompareOp::kGt: return SCMP_CMP_GT;
    case CompareOp::kGe: return SCMP_CMP_GE;
    case CompareOp::kMaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

Error Refused(std::string_view step, int rc) {
  return MakeError(ErrorCode::kOs, "libseccomp " + std::string(step) + ": " + std::strerror(-rc));
}

Result<Context> NewContext(const policy::Policy& policy, Arch arch, LibseccompOptimize optimize) {
  Context ctx(seccomp_init(policy.default_action.ToSeccompRet()));
  if (!ctx) return MakeError(ErrorCode::kOs, "seccomp_init failed");
  const uint32_t native = seccomp_arch_native();
  const uint32_t target = ScmpArch(arch);
  if (target != native) {
    if (int rc = seccomp_arch_add(ctx.get(), target); rc != 0) return Refused("seccomp_arch_add", rc);
    if (int rc = seccomp_arch_remove(ctx.get(), native); rc != 0) return Refused("seccomp_arch_remove", rc);
  }
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, policy.badarch_action.ToSeccompRet()); rc != 0) {
    return Refused("setting the badarch action", rc);
  }
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, static_cast<uint32_t>(optimize)); rc != 0) {
    return Refused("setting the optimization level", rc);
  }
  return ctx;
}

Result<void> AddRules(const policy::Policy& policy, Arch arch, void* ctx, bool skip_unknown_syscalls) {
  for (const policy::Rule& rule : policy.rules) {
    if (!rule.only_arches.empty() &&
        std::find(rule.only_arches.begin(), rule.only_arches.end(), arch) == rule.only_arches.end()) {
      continue;
    }
    Disjunction terms{Conjunction{}};
    if (rule.condition) {
      auto dnf = ToDnf(*rule.condition, false);
      if (!dnf) return dnf.error();
      terms = std::move(*dnf);
    }
    std::vector<std::string_view> names;
    for (const std::string& target : rule.targets) {
      if (target.starts_with('@')) {
        const syscalls::Group* group = syscalls::FindGroup(target);
        if (group == nullptr) return MakeError(ErrorCode::kNotFound, "unknown group " + target);
        for (std::string_view name : syscalls::ExpandGroup(*group)) names.push_back(name);
      } else {
        names.push_back(target);
      }
    }
    for (std::string_view name : names) {
      const auto nr = syscalls::NumberOf(arch, name);
      if (!nr) continue;
      const Arch one[] = {arch};
      if (!LibseccompAgreesOnSyscall(name, one)) {
        if (skip_unknown_syscalls) continue;
        return Unsupported("'" + std::string(name) + "' with the number sysfence gives it on " +
                           std::string(ArchName(arch)));
      }
      // Named arguments sit where this ABI's signature puts them.
      std::optional<Disjunction> resolved_terms;
      if (rule.condition && policy::HasNamedArguments(*rule.condition)) {
        const policy::Condition resolved = policy::ResolveArgumentsOn(*rule.condition, arch, name);
        if (policy::HasNamedArguments(resolved)) return Unsupported("an argument name " + std::string(name) + " lacks");
        auto dnf = ToDnf(resolved, false);
        if (!dnf) return dnf.error();
        resolved_terms = std::move(*dnf);
      }
      for (const Conjunction& term : resolved_terms ? *resolved_terms : terms) {
        std::vector<scmp_arg_cmp> cmps;
        unsigned used = 0;
        for (const Comparison& c : term) {
          if ((used >> c.arg & 1) != 0) return Unsupported("two comparisons of one argument in one rule");
          if (c.op == CompareOp::kMaskedEq && (c.value & ~c.mask) != 0) {
            return Unsupported("a masked comparison that can never hold (it masks the value too)");
          }
          used |= 1u << c.arg;
          const int width = syscalls::ArgWidthBits(arch, name, c.arg);
          const uint64_t value = policy::EffectiveValue(c.value, width);
          scmp_arg_cmp cmp{};
          cmp.arg = static_cast<unsigned>(c.arg);
          cmp.op = ScmpOp(c.op);
          cmp.datum_a = c.op == CompareOp::kMaskedEq ? c.mask : value;
          cmp.datum_b = c.op == CompareOp::kMaskedEq ? value : 0;
          cmps.push_back(cmp);
        }
        // libseccomp takes the host ABI's number (or its pseudo number for syscalls the host lacks)
        // and translates it by name to each ABI of the context.
        const std::string name_z(name);
        const int lib_nr = seccomp_syscall_resolve_name(name_z.c_str());
        const int rc = seccomp_rule_add_exact_array(ctx, rule.action.ToSeccompRet(), lib_nr,
                                                    static_cast<unsigned>(cmps.size()), cmps.data());
        if (rc != 0) return Refused("adding a rule for " + std::string(name), rc);
      }
    }
  }
  return Ok();
}

Result<bpf::Program> Export(void* ctx) {
  const int fd = memfd_create("libseccomp-filter", MFD_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kOs, std::string("memfd_create: ") + std::strerror(errno));
  const int rc = seccomp_export_bpf(ctx, fd);
  if (rc != 0) {
    close(fd);
    return Refused("seccomp_export_bpf", rc);
  }
  const off_t size = lseek(fd, 0, SEEK_END);
  bpf::Program program(static_cast<size_t>(size) / sizeof(bpf::Instruction));
  const ssize_t got = pread(fd, program.data(), program.size() * sizeof(bpf::Instruction), 0);
  close(fd);
  if (got != static_cast<ssize_t>(program.size() * sizeof(bpf::Instruction))) {
    return MakeError(ErrorCode::kOs, "reading libseccomp's filter back failed");
  }
  return program;
}

}  // namespace

bool LibseccompAgreesOnSyscall(std::string_view name, std::span<const Arch> arches) {
  const std::string name_z(name);
  if (seccomp_syscall_resolve_name(name_z.c_str()) == __NR_SCMP_ERROR) return false;
  for (Arch arch : arches) {
    const auto ours = syscalls::NumberOf(arch, name);
    const int theirs = seccomp_syscall_resolve_name_arch(ScmpArch(arch), name_z.c_str());
    if (ours.has_value() != (theirs >= 0)) return false;
    if (ours && static_cast<uint32_t>(theirs) != *ours) return false;
  }
  return true;
}

Result<bpf::Program> CompileWithLibseccomp(const policy::Policy& policy, LibseccompOptimize optimize,
                                           bool skip_unknown_syscalls) {
  Context merged;
  for (size_t i = 0; i < policy.arches.size(); ++i) {
    const Arch arch = policy.arches[i];
    if (std::find(policy.arches.begin(), policy.arches.begin() + static_cast<std::ptrdiff_t>(i), arch) !=
        policy.arches.begin() + static_cast<std::ptrdiff_t>(i)) {
      continue;
    }
    auto ctx = NewContext(policy, arch, optimize);
    if (!ctx) return ctx.error();
    if (auto r = AddRules(policy, arch, ctx->get(), skip_unknown_syscalls); !r) return r.error();
    if (!merged) {
      merged = std::move(*ctx);
    } else {
      if (int rc = seccomp_merge(merged.get(), ctx->get()); rc != 0) return Refused("seccomp_merge", rc);
      ctx->release();  // seccomp_merge consumed it
    }
  }
  if (!merged) return MakeError(ErrorCode::kInvalidInput, "the policy lists no architecture");
  return Export(merged.get());
}

}  // namespace sysfence::differential
