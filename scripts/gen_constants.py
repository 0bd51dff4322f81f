#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes src/syscalls/constants_gen.cc: the symbolic constants policies may use in conditions.

The values come from this machine's C library and kernel UAPI headers: the script lists the macros
the headers define (`cc -dM -E`), keeps those of each family below, and compiles and runs a small C
program that prints their values. Constants newer than the installed headers are defined in
PREAMBLE (guarded with #ifndef, values from the kernel's UAPI headers). Enumerations that are not
macros (personality values) are listed by name. Values are those of x86_64 and the generic ABI;
docs/syscalls.md says which differ on other ABIs.

Usage: scripts/gen_constants.py [--check]   (needs a C compiler; run on x86_64 Linux)
"""
import errno
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "syscalls" / "constants_gen.cc"
CC = os.environ.get("CC", "cc")

INCLUDES = """
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sched.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <asm/prctl.h>
#include <linux/seccomp.h>
#include <sys/random.h>
#include <linux/futex.h>
#include <sys/personality.h>
#include <sys/eventfd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>
"""

# Newer than the Linux 6.1 UAPI headers on the build machines (values from later UAPI headers).
PREAMBLE = """
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif
#ifndef PR_MDWE_NO_INHERIT
#define PR_MDWE_NO_INHERIT (1UL << 1)
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#endif
#ifndef PR_GET_SHADOW_STACK_STATUS
#define PR_GET_SHADOW_STACK_STATUS 74
#define PR_SET_SHADOW_STACK_STATUS 75
#define PR_LOCK_SHADOW_STACK_STATUS 76
#endif
#ifndef ARCH_GET_UNTAG_MASK
#define ARCH_GET_UNTAG_MASK 0x4001
#define ARCH_ENABLE_TAGGED_ADDR 0x4002
#define ARCH_GET_MAX_TAG_BITS 0x4003
#define ARCH_FORCE_TAGGED_SVA 0x4004
#endif
#ifndef ARCH_SHSTK_ENABLE
#define ARCH_SHSTK_ENABLE 0x5001
#define ARCH_SHSTK_DISABLE 0x5002
#define ARCH_SHSTK_LOCK 0x5003
#define ARCH_SHSTK_UNLOCK 0x5004
#define ARCH_SHSTK_STATUS 0x5005
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef F_DUPFD_QUERY
#define F_DUPFD_QUERY (1024 + 3)
#endif
#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY (1024 + 4)
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
#ifndef AT_HANDLE_MNT_ID_UNIQUE
#define AT_HANDLE_MNT_ID_UNIQUE 0x001
#endif
#ifndef AT_HANDLE_CONNECTABLE
#define AT_HANDLE_CONNECTABLE 0x002
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
"""

# family -> regular expression over macro names. Family names are the prefix, except "ioctl"
# (request numbers of several prefixes), "sigmask_how" and "personality".
FAMILIES = [
    ("AF", r"AF_[A-Z0-9_]+"),
    ("SOCK", r"SOCK_(STREAM|DGRAM|RAW|RDM|SEQPACKET|DCCP|PACKET|NONBLOCK|CLOEXEC)"),
    ("IPPROTO", r"IPPROTO_[A-Z0-9_]+"),
    ("O", r"O_[A-Z0-9_]+"),
    ("AT", r"AT_[A-Z0-9_]+"),
    ("PROT", r"PROT_[A-Z0-9_]+"),
    ("MAP", r"MAP_[A-Z0-9_]+"),
    ("MREMAP", r"MREMAP_[A-Z0-9_]+"),
    ("MADV", r"MADV_[A-Z0-9_]+"),
    ("MFD", r"MFD_[A-Z0-9_]+"),
    ("EFD", r"EFD_[A-Z0-9_]+"),
    ("CLONE", r"CLONE_[A-Z0-9_]+"),
    # prctl: the values of arguments 2..5 come before the options of argument 1.
    ("PR_arg", r"PR_(CAP_AMBIENT_|ENDIAN_|FPEMU_|FP_EXC_|FP_MODE_|MCE_KILL_(CLEAR|DEFAULT|EARLY|LATE|SET)|MDWE_|MTE_"
               r"|PAC_AP|SCHED_CORE_|SET_MM_|SET_PTRACER_ANY|SET_VMA_ANON_NAME|SME_SET_VL_ONEXEC|SME_VL_INHERIT"
               r"|SVE_SET_VL_ONEXEC|SVE_VL_INHERIT|SPEC_|SYS_DISPATCH_|TAGGED_ADDR_ENABLE|TIMING_|TSC_|UNALIGN_)[A-Z0-9_]*"),
    ("PR", r"PR_[A-Z0-9_]+"),
    ("access", r"[RWXF]_OK"),
    ("F_SEAL", r"F_SEAL_[A-Z_]+"),
    ("F_LCK", r"F_(RDLCK|WRLCK|UNLCK|EXLCK|SHLCK)"),
    ("F", r"F_[A-Z0-9_]+"),
    ("FD", r"FD_CLOEXEC"),
    # TCP options before ioctl, whose TC* pattern (TCGETS) would take them.
    ("TCP", r"TCP_(NODELAY|MAXSEG|CORK|KEEPIDLE|KEEPINTVL|KEEPCNT|SYNCNT|LINGER2|DEFER_ACCEPT|WINDOW_CLAMP|INFO"
            r"|QUICKACK|CONGESTION|MD5SIG|MD5SIG_EXT|THIN_LINEAR_TIMEOUTS|THIN_DUPACK|USER_TIMEOUT|REPAIR"
            r"|REPAIR_QUEUE|QUEUE_SEQ|REPAIR_OPTIONS|FASTOPEN|TIMESTAMP|NOTSENT_LOWAT|CC_INFO|SAVE_SYN|SAVED_SYN"
            r"|REPAIR_WINDOW|FASTOPEN_CONNECT|ULP|FASTOPEN_KEY|FASTOPEN_NO_COOKIE|ZEROCOPY_RECEIVE|INQ|TX_DELAY)"),
    ("ioctl", r"(TC(?!P)[A-Z0-9_]+|TIOC[A-Z0-9_]+|FIO[A-Z0-9_]+|FION[A-Z0-9_]+|FICLONE|FICLONERANGE|FIDEDUPERANGE|SECCOMP_IOCTL_[A-Z_]+)"),
    ("SIG", r"SIG[A-Z0-9]+"),
    ("sigmask_how", r"SIG_(BLOCK|UNBLOCK|SETMASK)"),
    ("SOL", r"SOL_[A-Z0-9_]+"),
    ("SO", r"SO_[A-Z0-9_]+"),
    # Socket options of the IP, IPv6 and TCP levels (setsockopt's optname when level is IPPROTO_IP,
    # IPPROTO_IPV6 or IPPROTO_TCP), listed by name: the prefixes also name values and limits.
    ("IP", r"IP_(TOS|TTL|HDRINCL|OPTIONS|ROUTER_ALERT|RECVOPTS|RETOPTS|PKTINFO|PKTOPTIONS|MTU_DISCOVER|RECVERR"
           r"|RECVTTL|RECVTOS|MTU|FREEBIND|IPSEC_POLICY|XFRM_POLICY|PASSSEC|TRANSPARENT|ORIGDSTADDR|MINTTL"
           r"|NODEFRAG|CHECKSUM|BIND_ADDRESS_NO_PORT|RECVFRAGSIZE|RECVERR_RFC4884|MULTICAST_IF|MULTICAST_TTL"
           r"|MULTICAST_LOOP|ADD_MEMBERSHIP|DROP_MEMBERSHIP|UNBLOCK_SOURCE|BLOCK_SOURCE|ADD_SOURCE_MEMBERSHIP"
           r"|DROP_SOURCE_MEMBERSHIP|MSFILTER|MULTICAST_ALL|UNICAST_IF|LOCAL_PORT_RANGE|PROTOCOL)"),
    ("IPV6", r"IPV6_(ADDRFORM|2292PKTINFO|2292HOPOPTS|2292DSTOPTS|2292RTHDR|2292PKTOPTIONS|CHECKSUM"
             r"|2292HOPLIMIT|NEXTHOP|AUTHHDR|UNICAST_HOPS|MULTICAST_IF|MULTICAST_HOPS|MULTICAST_LOOP|JOIN_GROUP"
             r"|LEAVE_GROUP|ROUTER_ALERT|MTU_DISCOVER|MTU|RECVERR|V6ONLY|JOIN_ANYCAST|LEAVE_ANYCAST|MULTICAST_ALL"
             r"|ROUTER_ALERT_ISOLATE|RECVERR_RFC4884|IPSEC_POLICY|XFRM_POLICY|HDRINCL|RECVPKTINFO|PKTINFO"
             r"|RECVHOPLIMIT|HOPLIMIT|RECVHOPOPTS|HOPOPTS|RTHDRDSTOPTS|RECVRTHDR|RTHDR|RECVDSTOPTS|DSTOPTS"
             r"|RECVPATHMTU|PATHMTU|DONTFRAG|RECVTCLASS|TCLASS|AUTOFLOWLABEL|ADDR_PREFERENCES|MINHOPCOUNT"
             r"|ORIGDSTADDR|TRANSPARENT|UNICAST_IF|RECVFRAGSIZE|FREEBIND)"),
    ("MSG", r"MSG_[A-Z0-9_]+"),
    ("ARCH", r"ARCH_[A-Z0-9_]+"),
    ("SECCOMP", r"SECCOMP_[A-Z0-9_]+"),
    ("GRND", r"GRND_[A-Z0-9_]+"),
    ("FUTEX_OP", r"FUTEX_OP_[A-Z0-9_]+"),  # the operation encoded in FUTEX_WAKE_OP's val3
    ("FUTEX", r"FUTEX_[A-Z0-9_]+"),
    ("CAP", r"CAP_[A-Z0-9_]+"),
    ("RLIMIT", r"RLIMIT_[A-Z0-9_]+"),
    ("CLOCK", r"CLOCK_[A-Z0-9_]+"),
    ("msync", r"MS_(ASYNC|SYNC|INVALIDATE)"),
    ("MS", r"MS_[A-Z0-9_]+"),
    ("MNT", r"(MNT_FORCE|MNT_DETACH|MNT_EXPIRE|UMOUNT_NOFOLLOW)"),
    ("S", r"S_I[A-Z0-9]+"),
]

# Macros a family's pattern catches that are no constants of that family (or no constants at all).
EXCLUDE = {
    "AF_MAX", "IPPROTO_MAX", "O_LARGEFILE", "O_FSYNC", "O_RSYNC", "O_NDELAY",
    "AT_FDCWD",  # added below with its sign-extended value
    "MAP_FAILED", "MAP_HUGE_SHIFT", "MAP_HUGE_MASK", "MAP_ANON", "MAP_FILE", "MAP_UNINITIALIZED",
    "F_GETLK64", "F_SETLK64", "F_SETLKW64", "F_LINUX_SPECIFIC_BASE",
    "SIGSTKSZ", "SIGRTMIN", "SIGRTMAX", "SIGSTKFLT", "SIGUNUSED", "SIGEV_SIGNAL", "SIGEV_NONE",
    "SIGEV_THREAD", "SIGEV_THREAD_ID", "SIGSTKSZ", "SIG_ATOMIC_MAX", "SIG_ATOMIC_MIN",
    "SO_TIMESTAMP_OLD", "SO_TIMESTAMPNS_OLD", "SO_TIMESTAMPING_OLD", "SO_RCVTIMEO_OLD", "SO_SNDTIMEO_OLD",
    "SECCOMP_IOC_MAGIC", "SECCOMP_RET_ACTION", "SECCOMP_RET_ACTION_FULL", "SECCOMP_RET_DATA",
    "FUTEX_TID_MASK", "FUTEX_WAITERS", "FUTEX_OWNER_DIED", "FUTEX_OP_OPARG_SHIFT", "FUTEX_BITSET_MATCH_ANY",
    "FUTEX_WAITV_MAX", "FUTEX_32", "FUTEX_CMD_MASK",
    "F_LOCK", "F_TEST", "F_TLOCK", "F_ULOCK",  # lockf(3) commands, never seen by the kernel
    "CLONE_ARGS_SIZE_VER0", "CLONE_ARGS_SIZE_VER1", "CLONE_ARGS_SIZE_VER2",
    # Kernel-internal superblock flags that mount(2) ignores.
    "MS_NOUSER", "MS_ACTIVE", "MS_BORN", "MS_KERNMOUNT", "MS_NOREMOTELOCK", "MS_NOSEC", "MS_SUBMOUNT",
    "CAP_LAST_CAP", "RLIMIT_NLIMITS", "RLIMIT_OFILE", "RLIM_NLIMITS",
    "CLOCK_TAI_HW", "CLOCKS_PER_SEC", "CLOCKS_MONO", "CLOCKS_MASK", "CLOCK_SGI_CYCLE",
    "MS_MGC_MSK", "MS_MGC_VAL", "MS_RMT_MASK",
    "TIOCSER_TEMT", "TCSANOW", "TCSADRAIN", "TCSAFLUSH", "TCOOFF", "TCOON", "TCIOFF", "TCION",
    "TCIFLUSH", "TCOFLUSH", "TCIOFLUSH", "TIOCPKT", "FIOGETOWN", "FIOSETOWN",
    # Their structs need headers that clash with <termios.h> and <sys/ioctl.h>.
    "TCGETS2", "TCSETS2", "TCSETSF2", "TCSETSW2", "TIOCGISO7816", "TIOCSISO7816",
}
EXCLUDE_PATTERNS = [r"TIOCPKT_.*", r"TIOCM_.*", r"_.*", r"CAP_.*_(SIZE|U32S|VERSION).*", r"VFS_CAP_.*",
                    r"SECCOMP_IO.*_R", r"O_.*_HACK", r"PR_.*_MASK", r"MS_.*_MASK"]

PERSONALITY = [
    "PER_LINUX", "PER_LINUX_32BIT", "PER_LINUX_FDPIC", "PER_SVR4", "PER_SVR3", "PER_SCOSVR3", "PER_OSR5",
    "PER_WYSEV386", "PER_ISCR4", "PER_BSD", "PER_SUNOS", "PER_XENIX", "PER_LINUX32", "PER_LINUX32_3GB",
    "PER_IRIX32", "PER_IRIXN32", "PER_IRIX64", "PER_RISCOS", "PER_SOLARIS", "PER_UW7", "PER_OSF4", "PER_HPUX",
    "PER_MASK", "UNAME26", "ADDR_NO_RANDOMIZE", "FDPIC_FUNCPTRS", "MMAP_PAGE_ZERO", "ADDR_COMPAT_LAYOUT",
    "READ_IMPLIES_EXEC", "ADDR_LIMIT_32BIT", "SHORT_INODE", "WHOLE_SECONDS", "STICKY_TIMEOUTS",
    "ADDR_LIMIT_3GB",
]

# Values the headers cannot give as user space sees them.
EXTRA = [
    ("O", "O_LARGEFILE", 0o100000),  # the kernel's value; glibc defines it as 0 on 64-bit ABIs
    ("AT", "AT_FDCWD", (-100) & 0xFFFFFFFFFFFFFFFF),  # an int, sign-extended in the register
    ("SIG", "SIGRTMIN", 32),  # the kernel's; glibc's SIGRTMIN is a function call
    ("SIG", "SIGRTMAX", 64),
    ("SIG", "SIGSTKFLT", 16),
]

# Aliases that would make decoding ambiguous keep only one family; these are fine as they are.


def macro_names():
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "names.c"
        src.write_text(INCLUDES + PREAMBLE)
        out = subprocess.run([CC, "-dM", "-E", str(src)], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*)(\(| |$)", line)
        if m and m.group(2) != "(":
            names.add(m.group(1))
    return names


def excluded(name):
    return name in EXCLUDE or any(re.fullmatch(p, name) for p in EXCLUDE_PATTERNS)


def evaluate(pairs):
    lines = [INCLUDES, PREAMBLE, "#include <stdio.h>", "int main(void) {"]
    for family, name in pairs:
        lines.append(f'  printf("%s\\t%s\\t%llu\\n", "{family}", "{name}", (unsigned long long)(long long)({name}));')
    lines.append("  return 0;\n}")
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "values.c"
        exe = pathlib.Path(tmp) / "values"
        src.write_text("\n".join(lines))
        subprocess.run([CC, "-w", "-o", str(exe), str(src)], check=True)
        out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return [(f, n, int(v)) for f, n, v in (line.split("\t") for line in out.splitlines())]


def collect():
    names = macro_names()
    pairs = []
    taken = set()
    for family, pattern in FAMILIES:
        for name in sorted(names):
            if re.fullmatch(pattern, name) and not excluded(name) and name not in taken:
                pairs.append((family, name))
                taken.add(name)
    pairs += [("personality", n) for n in PERSONALITY]
    values = evaluate(pairs)
    values += EXTRA
    values += [("errno", n, getattr(errno, n)) for n in dir(errno) if n.startswith("E") and n.isupper()]
    seen = {}
    for family, name, value in values:
        assert name not in seen, f"{name} twice ({seen[name]} and {family})"
        seen[name] = family
    return sorted(values, key=lambda t: t[1])


def generate():
    values = collect()
    out = ["// SPDX-License-Identifier: Apache-2.0",
           "// Generated by scripts/gen_constants.py from the C library and Linux UAPI headers; do not edit.",
           '#include "syscalls/constants_data.h"', "", "#include <array>", "",
           "namespace sysfence::syscalls::internal {", "namespace {", "",
           f"constexpr std::array<Constant, {len(values)}> kConstants = {{{{"]
    for family, name, value in values:
        out.append(f'    {{"{name}", {value:#x}u, "{family}"}},')
    out += ["}};", "", "}  // namespace", "",
            "std::span<const Constant> SortedConstants() { return kConstants; }", "",
            "}  // namespace sysfence::syscalls::internal"]
    return "\n".join(out) + "\n"


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            print(f"{OUT} is stale: run scripts/gen_constants.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
