// SPDX-License-Identifier: Apache-2.0
// self_sandbox: a program that sandboxes itself the way seccomp tutorials do with hand-written BPF
// ("allow read, write and exit, kill the rest"), but through sysfence, which adds what the
// hand-written versions forget: the architecture check (i386 syscalls through `int 0x80` are
// another ABI with other numbers), the x32 check, and a default that kills.
//
// Usage: self_sandbox [--try getpid|x32|int80]
//   Copies standard input to standard output, prefixed, inside the sandbox. With --try, it then
//   attempts a forbidden call to show the sandbox stopping it (the process dies with SIGSYS).
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "self_sandbox_policy.h"

namespace {

// Everything the program needs from the system after the sandbox: write(2) on fds it already has.
void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = write(fd, data, size);
    if (written <= 0) return;
    data += written;
    size -= static_cast<size_t>(written);
  }
}

void Say(const char* text) { WriteAll(STDOUT_FILENO, text, strlen(text)); }

void TryForbidden(const char* what) {
  if (strcmp(what, "getpid") == 0) {
    Say("trying getpid(2), which the policy does not allow\n");
    syscall(SYS_getpid);
  } else if (strcmp(what, "x32") == 0) {
    // write(2) through the x32 ABI: number 1 with the x32 bit. A filter that only compares numbers
    // might take it for x86_64's write; sysfence's prologue kills it as another ABI.
    Say("trying write(2) through the x32 ABI\n");
    syscall(0x40000000 | 1, STDOUT_FILENO, "x32 write got through\n", 22);
  } else if (strcmp(what, "int80") == 0) {
#if defined(__x86_64__)
    // i386 syscall 1 is exit(2); on x86_64, number 1 is write, which the policy allows. Without an
    // architecture check this call would pass the filter and exit with status 42.
    Say("trying exit(42) through int 0x80 (i386 number 1 = x86_64 write)\n");
    long result;
    asm volatile("int $0x80" : "=a"(result) : "a"(1L), "b"(42L) : "memory");
    (void)result;
#else
    Say("int 0x80 exists on x86_64 only\n");
#endif
  }
  Say("the forbidden call returned: the sandbox did not stop it\n");
}

}  // namespace

int main(int argc, char** argv) {
  const char* try_what = nullptr;
  if (argc == 3 && strcmp(argv[1], "--try") == 0) {
    try_what = argv[2];
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [--try getpid|x32|int80]\n", argv[0]);
    return 2;
  }

  // Build and apply the sandbox. Everything that allocates or prints through stdio happens before.
  {
    sysfence::StatusOr<sysfence::Policy> policy = sysfence_examples::SelfSandboxPolicy();
    if (!policy.ok()) {
      fprintf(stderr, "self_sandbox: %s\n", policy.status().message().c_str());
      return 2;
    }
    sysfence::StatusOr<sysfence::SandboxReport> report = sysfence::ApplySandbox(*policy);
    if (!report.ok()) {
      fprintf(stderr, "self_sandbox: %s\n", report.status().message().c_str());
      return 3;
    }
  }

  // Sandboxed: read, write and exit only.
  Say("sandboxed; echoing standard input\n");
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
    if (got <= 0) break;
    Say("> ");
    WriteAll(STDOUT_FILENO, buffer, static_cast<size_t>(got));
  }
  if (try_what != nullptr) TryForbidden(try_what);
  _exit(0);  // exit_group(2); skips atexit handlers, which the sandbox has no need to run
}
