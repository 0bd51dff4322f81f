// SPDX-License-Identifier: Apache-2.0
// An i386 program (built -m32, static, no libc: the machine needs no 32-bit C library) whose
// descriptors come from 32-bit syscalls, which the eBPF recorder sees as compat calls. It opens
// /dev/null ten times, then, as argv[1] asks, gets one more descriptor: "dup2" (dup2 to 100),
// "fcntl" (fcntl64 F_DUPFD from 120, after an F_GETFL whose result, O_LARGEFILE and all, is no
// descriptor), "pipe" (pipe's int[2]), "socketcall" (socketcall(SYS_SOCKET)). It prints the
// highest descriptor it was given, in decimal, and exits 0 (1 when a call failed).

// i386 syscall numbers (data/syscalls.csv, column x86).
#define NR_EXIT 1
#define NR_WRITE 4
#define NR_OPEN 5
#define NR_PIPE 42
#define NR_DUP2 63
#define NR_SOCKETCALL 102
#define NR_FCNTL64 221
#define F_DUPFD 0
#define F_GETFL 3
#define SYS_SOCKET 1
#define AF_UNIX 1
#define SOCK_STREAM 1

static long Call3(long nr, long a, long b, long c) {
  long result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return result;
}

static int Same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}

static void Exit(int status) {
  Call3(NR_EXIT, status, 0, 0);
  for (;;) {
  }
}

static long GivenFd(const char* how, long any_open) {
  if (Same(how, "dup2")) return Call3(NR_DUP2, any_open, 100, 0);
  if (Same(how, "fcntl")) {
    if (Call3(NR_FCNTL64, any_open, F_GETFL, 0) < 0) return -1;
    return Call3(NR_FCNTL64, any_open, F_DUPFD, 120);
  }
  if (Same(how, "pipe")) {
    int fds[2] = {-1, -1};
    if (Call3(NR_PIPE, (long)fds, 0, 0) != 0) return -1;
    return fds[0] > fds[1] ? fds[0] : fds[1];
  }
  if (Same(how, "socketcall")) {
    unsigned long args[3] = {AF_UNIX, SOCK_STREAM, 0};
    return Call3(NR_SOCKETCALL, SYS_SOCKET, (long)args, 0);
  }
  return -1;
}

void FdMain(long* stack) {
  char** argv = (char**)(stack + 1);
  if (stack[0] < 2) Exit(1);
  long highest = -1;
  for (int i = 0; i < 10; ++i) {
    highest = Call3(NR_OPEN, (long)"/dev/null", 0, 0);
    if (highest < 0) Exit(1);
  }
  const long given = GivenFd(argv[1], highest);
  if (given < 0) Exit(1);
  if (given > highest) highest = given;
  char text[12];
  int at = sizeof(text);
  text[--at] = '\n';
  do {
    text[--at] = (char)('0' + highest % 10);
    highest /= 10;
  } while (highest > 0);
  Call3(NR_WRITE, 1, (long)(text + at), (long)sizeof(text) - at);
  Exit(0);
}

// The entry point: hands the initial stack (argc, argv...) to FdMain with the stack aligned.
__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "  xorl %ebp, %ebp\n"
    "  movl %esp, %eax\n"
    "  andl $-16, %esp\n"
    "  subl $12, %esp\n"
    "  pushl %eax\n"
    "  call FdMain\n"
    "  hlt\n");
