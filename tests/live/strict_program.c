// SPDX-License-Identifier: Apache-2.0
// A program built for seccomp strict mode: no libc, no startup code, only raw syscalls. _start
// writes "hello\n" to standard output and ends with the `exit` syscall (60; exit_group would be
// killed). Built with -DSF_STRICT_CALL_GETPID it also calls getpid after writing, which strict mode
// answers with SIGKILL. x86_64 only.

// A raw three-argument syscall.
static long RawSyscall(long number, long a, long b, long c) {
  long result;
  __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return result;
}

// The entry point: the first instruction of the program.
void _start(void) {
  static const char kHello[] = "hello\n";
  RawSyscall(1, 1, (long)kHello, sizeof(kHello) - 1);  // write(1, "hello\n", 6)
#ifdef SF_STRICT_CALL_GETPID
  RawSyscall(39, 0, 0, 0);  // getpid: not allowed in strict mode
#endif
  for (;;) RawSyscall(60, 0, 0, 0);  // exit(0)
}
