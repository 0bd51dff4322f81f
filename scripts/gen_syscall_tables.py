#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes src/syscalls/syscall_table_gen.cc from the reference data in data/.

Inputs (the project's own copies; data/README.md names their origin):
  data/syscalls.csv               syscall name -> number on many ABIs ("PNR" = absent)
  data/x86_64-syscall-args.tsv    x86_64 argument types and names, as tracefs prints them

Usage: scripts/gen_syscall_tables.py [--check]
  Without flags the output file is rewritten; with --check it only exits 1 when the checked-in file
  differs from what the data produces (CI can run this to catch hand edits).
"""
import csv
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CSV = ROOT / "data" / "syscalls.csv"
TSV = ROOT / "data" / "x86_64-syscall-args.tsv"
OUT = ROOT / "src" / "syscalls" / "syscall_table_gen.cc"

# sysfence Arch enumerator -> (csv column, number bias seen by a filter). Order follows core/arch.h.
ARCHES = [
    ("kX86_64", "x86_64", 0),
    ("kX86", "x86", 0),
    ("kX32", "x32", 0x40000000),  # the csv gives x32 numbers without the x32 bit
    ("kAarch64", "aarch64", 0),
    ("kArm", "arm", 0),
    ("kRiscv64", "riscv64", 0),
    ("kPpc64le", "ppc64", 0),  # ppc64 and ppc64le share one syscall table
    ("kS390x", "s390x", 0),
]

# tracefs names some events after the kernel function rather than the syscall.
TRACEFS_RENAMES = {
    "newfstat": "fstat",
    "newlstat": "lstat",
    "newstat": "stat",
    "newuname": "uname",
    "sendfile64": "sendfile",
    "umount": "umount2",
}

# Signatures tracefs lacks on the reference machine (features not configured there, or syscalls
# newer than it), from the man pages and the kernel's SYSCALL_DEFINE declarations.
EXTRA_SIGNATURES = {
    "_sysctl": "struct __sysctl_args * args",
    "create_module": "const char * name; size_t size",
    "delete_module": "const char * name_user; unsigned int flags",
    "finit_module": "int fd; const char * uargs; int flags",
    "get_kernel_syms": "struct kernel_sym * table",
    "get_thread_area": "struct user_desc * u_info",
    "init_module": "void * umod; unsigned long len; const char * uargs",
    "kexec_file_load": "int kernel_fd; int initrd_fd; unsigned long cmdline_len; const char * cmdline_ptr; unsigned long flags",
    "kexec_load": "unsigned long entry; unsigned long nr_segments; struct kexec_segment * segments; unsigned long flags",
    "listns": "const struct ns_id_req * req; u64 * ns_ids; size_t nr_ns_ids; unsigned int flags",
    "lookup_dcookie": "u64 cookie64; char * buf; size_t len",
    "map_shadow_stack": "unsigned long addr; unsigned long size; unsigned int flags",
    "query_module": "const char * name; int which; void * buf; size_t bufsize; size_t * ret",
    "set_thread_area": "struct user_desc * u_info",
    "uselib": "const char * library",
    # Syscalls of 32-bit ABIs only (every argument is 32 bits there; names help decoding).
    "_llseek": "unsigned int fd; unsigned long offset_high; unsigned long offset_low; loff_t * result; unsigned int whence",
    "fcntl64": "unsigned int fd; unsigned int cmd; unsigned long arg",
    "ipc": "unsigned int call; int first; unsigned long second; unsigned long third; void * ptr; long fifth",
    "mmap2": "unsigned long addr; unsigned long len; unsigned long prot; unsigned long flags; unsigned long fd; unsigned long pgoff",
    "socketcall": "int call; unsigned long * args",
    # The 32-bit ids, stat64 and time64 families of i386 and arm, and their old signal calls: without
    # a signature, events would show six raw registers for getuid32 (which takes none).
    "getuid32": "", "getgid32": "", "geteuid32": "", "getegid32": "", "sigreturn": "", "sgetmask": "",
    "setuid32": "uid_t uid", "setgid32": "gid_t gid", "setfsuid32": "uid_t uid", "setfsgid32": "gid_t gid",
    "setreuid32": "uid_t ruid; uid_t euid", "setregid32": "gid_t rgid; gid_t egid",
    "setresuid32": "uid_t ruid; uid_t euid; uid_t suid", "setresgid32": "gid_t rgid; gid_t egid; gid_t sgid",
    "getresuid32": "uid_t * ruidp; uid_t * euidp; uid_t * suidp",
    "getresgid32": "gid_t * rgidp; gid_t * egidp; gid_t * sgidp",
    "getgroups32": "int gidsetsize; gid_t * grouplist", "setgroups32": "int gidsetsize; gid_t * grouplist",
    "chown32": "const char * filename; uid_t user; gid_t group",
    "lchown32": "const char * filename; uid_t user; gid_t group",
    "fchown32": "unsigned int fd; uid_t user; gid_t group",
    "stat64": "const char * filename; struct stat64 * statbuf",
    "lstat64": "const char * filename; struct stat64 * statbuf",
    "fstat64": "unsigned long fd; struct stat64 * statbuf",
    "fstatat64": "int dfd; const char * filename; struct stat64 * statbuf; int flag",
    "statfs64": "const char * pathname; size_t sz; struct statfs64 * buf",
    "fstatfs64": "unsigned int fd; size_t sz; struct statfs64 * buf",
    "truncate64": "const char * path; loff_t length", "ftruncate64": "unsigned int fd; loff_t length",
    "sendfile64": "int out_fd; int in_fd; loff_t * offset; size_t count",
    "ugetrlimit": "unsigned int resource; struct rlimit * rlim",
    "waitpid": "pid_t pid; int * stat_addr; int options", "nice": "int increment",
    "sigaction": "int sig; const struct old_sigaction * act; struct old_sigaction * oact",
    "sigprocmask": "int how; old_sigset_t * nset; old_sigset_t * oset", "sigpending": "old_sigset_t * uset",
    "_newselect": "int n; fd_set * inp; fd_set * outp; fd_set * exp; struct __kernel_old_timeval * tvp",
    "clock_gettime64": "const clockid_t which_clock; struct __kernel_timespec * tp",
    "clock_settime64": "const clockid_t which_clock; const struct __kernel_timespec * tp",
    "clock_getres_time64": "const clockid_t which_clock; struct __kernel_timespec * tp",
    "clock_nanosleep_time64": "const clockid_t which_clock; int flags; const struct __kernel_timespec * rqtp; struct __kernel_timespec * rmtp",
    "futex_time64": "u32 * uaddr; int op; u32 val; const struct __kernel_timespec * utime; u32 * uaddr2; u32 val3",
    "ppoll_time64": "struct pollfd * ufds; unsigned int nfds; struct __kernel_timespec * tsp; const sigset_t * sigmask; size_t sigsetsize",
    "pselect6_time64": "int n; fd_set * inp; fd_set * outp; fd_set * exp; struct __kernel_timespec * tsp; void * sig",
    "utimensat_time64": "int dfd; const char * filename; struct __kernel_timespec * utimes; int flags",
    "timerfd_settime64": "int ufd; int flags; const struct __kernel_itimerspec * utmr; struct __kernel_itimerspec * otmr",
    "timerfd_gettime64": "int ufd; struct __kernel_itimerspec * otmr",
    "timer_settime64": "timer_t timer_id; int flags; const struct __kernel_itimerspec * new_setting; struct __kernel_itimerspec * old_setting",
    "timer_gettime64": "timer_t timer_id; struct __kernel_itimerspec * setting",
    "rt_sigtimedwait_time64": "const sigset_t * uthese; siginfo_t * uinfo; const struct __kernel_timespec * uts; size_t sigsetsize",
    "recvmmsg_time64": "int fd; struct mmsghdr * mmsg; unsigned int vlen; unsigned int flags; struct __kernel_timespec * timeout",
    "sched_rr_get_interval_time64": "pid_t pid; struct __kernel_timespec * interval",
}

# C types (after dropping "const") that are 32 bits wide on x86_64, so the kernel reads only the
# low half of the register. Everything else that is not a pointer is 64 bits.
SCALAR32_TYPES = {
    "int", "unsigned int", "unsigned", "__s32", "__u32", "u32", "s32",
    "pid_t", "uid_t", "gid_t", "qid_t",     # int / unsigned int
    "umode_t",                              # unsigned short: the kernel truncates even further
    "key_t", "key_serial_t", "mqd_t", "clockid_t", "timer_t", "rwf_t",  # int in the kernel
    "enum landlock_rule_type",              # enums are int
}
SCALAR64_TYPES = {
    "long", "unsigned long", "size_t", "off_t", "loff_t", "__u64", "u64", "aio_context_t",
}
# Typedefs of pointers.
POINTER_TYPEDEFS = {"cap_user_header_t", "cap_user_data_t"}

# Arguments declared `unsigned long` whose value the kernel only uses through its low 32 bits
# (truncated on the way in, or only low bits ever tested), so a filter must compare the low half.
EFFECTIVE_32 = {
    ("clone", "clone_flags"),  # kernel_clone_args takes lower_32_bits(clone_flags)
    ("mmap", "prot"),          # only PROT_* bits are translated; high bits are ignored
    ("mmap", "flags"),         # only MAP_* bits are tested (MAP_SHARED_VALIDATE checks the low word)
    ("mmap", "fd"),            # fget() takes an unsigned int
}


def kind_of(syscall, name, ctype):
    base = ctype.replace("const ", "").strip()
    if "*" in base or base in POINTER_TYPEDEFS:
        return "kPointer"
    if (syscall, name) in EFFECTIVE_32:
        return "kScalar32"
    if base in SCALAR32_TYPES:
        return "kScalar32"
    if base in SCALAR64_TYPES:
        return "kScalar64"
    sys.exit(f"gen_syscall_tables: unclassified C type '{ctype}' ({syscall} {name}): add it to a type set")


def parse_args(text):
    args = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        ctype, name = part.rsplit(" ", 1)
        args.append((name, ctype))
    return args


def load_numbers():
    rows = list(csv.reader(CSV.open()))
    header = rows[0]
    tables = {}
    for enum, column, bias in ARCHES:
        col = header.index(column)
        entries = []
        for row in rows[1:]:
            if row[col] != "PNR":
                entries.append((int(row[col]) + bias, row[0]))
        entries.sort()
        numbers = [n for n, _ in entries]
        names = [s for _, s in entries]
        assert len(set(numbers)) == len(numbers), f"duplicate numbers on {column}"
        assert len(set(names)) == len(names), f"duplicate names on {column}"
        tables[enum] = entries
    kernel = header[0].split("(")[1].split(")")[0] if "(" in header[0] else "unknown"
    return tables, kernel


def load_signatures(known):
    sigs = {}
    for line in TSV.open():
        if line.startswith("#") or not line.strip():
            continue
        name, _, args = line.rstrip("\n").partition("\t")
        name = TRACEFS_RENAMES.get(name, name)
        sigs[name] = parse_args(args)
    for name, args in EXTRA_SIGNATURES.items():
        assert name not in sigs, f"{name} is in tracefs now: drop it from EXTRA_SIGNATURES"
        sigs[name] = parse_args(args)
    unknown = sorted(set(sigs) - known)
    assert not unknown, f"signatures for unknown syscalls: {unknown}"
    for name, args in sigs.items():
        assert len(args) <= 6, f"{name} has more than 6 arguments"
    return sigs


def c_str(s):
    return '"' + s + '"'


def generate():
    tables, kernel = load_numbers()
    all_names = sorted({name for entries in tables.values() for _, name in entries})
    sigs = load_signatures(set(all_names))
    out = []
    w = out.append
    w("// SPDX-License-Identifier: Apache-2.0")
    w("// Generated by scripts/gen_syscall_tables.py from data/syscalls.csv (" + kernel + ")")
    w("// and data/x86_64-syscall-args.tsv; do not edit.")
    w('#include "syscalls/table_data.h"')
    w("")
    w("#include <array>")
    w("")
    w("namespace sysfence::syscalls::internal {")
    w("namespace {")
    w("")
    for enum, column, _ in ARCHES:
        entries = tables[enum]
        ident = enum[1:]
        w(f"// {column}: {len(entries)} syscalls, sorted by number as seen in seccomp_data.nr.")
        w(f"constexpr std::array<SyscallEntry, {len(entries)}> k{ident}ByNumber = {{{{")
        for number, name in entries:
            w(f"    {{{c_str(name)}, {number:#x}}}," if number >= 0x40000000 else f"    {{{c_str(name)}, {number}}},")
        w("}};")
        order = sorted(range(len(entries)), key=lambda i: entries[i][1])
        w(f"constexpr std::array<uint16_t, {len(entries)}> k{ident}ByName = {{{{")
        for i in range(0, len(order), 16):
            w("    " + ", ".join(str(x) for x in order[i:i + 16]) + ",")
        w("}};")
        w("")
    w(f"constexpr std::array<std::string_view, {len(all_names)}> kAllNames = {{{{")
    for name in all_names:
        w(f"    {c_str(name)},")
    w("}};")
    w("")
    flat = []
    index = []
    for name in sorted(sigs):
        index.append((name, len(flat), len(sigs[name])))
        for arg, ctype in sigs[name]:
            flat.append((arg, ctype, kind_of(name, arg, ctype)))
    w(f"constexpr std::array<ArgInfo, {len(flat)}> kArgs = {{{{")
    for arg, ctype, kind in flat:
        w(f"    {{{c_str(arg)}, {c_str(ctype)}, ArgKind::{kind}}},")
    w("}};")
    w(f"constexpr std::array<SignatureIndex, {len(index)}> kSignatures = {{{{")
    for name, first, count in index:
        w(f"    {{{c_str(name)}, {first}, {count}}},")
    w("}};")
    w("")
    w("}  // namespace")
    w("")
    w("ArchTable TableOf(Arch arch) {")
    w("  switch (arch) {")
    for enum, _, _ in ARCHES:
        ident = enum[1:]
        w(f"    case Arch::{enum}:")
        w(f"      return {{k{ident}ByNumber, k{ident}ByName}};")
    w("  }")
    w("  return {};")
    w("}")
    w("")
    w("std::span<const std::string_view> SortedNames() { return kAllNames; }")
    w("")
    w("std::span<const SignatureIndex> Signatures() { return kSignatures; }")
    w("")
    w("std::span<const ArgInfo> SignatureArgs() { return kArgs; }")
    w("")
    w("}  // namespace sysfence::syscalls::internal")
    return "\n".join(out) + "\n"


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            print(f"{OUT} is stale: run scripts/gen_syscall_tables.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
