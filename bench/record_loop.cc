// SPDX-License-Identifier: Apache-2.0
// record_loop N: the syscall-heavy workload of record_bench: N rounds of getppid, a 1-byte read
// of /dev/zero, and openat+close of /dev/null every 16th round (about 2.1 calls per round).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int zero = open("/dev/zero", O_RDONLY);
  char byte;
  for (long i = 0; i < rounds; ++i) {
    (void)getppid();
    (void)!read(zero, &byte, 1);
    if ((i & 15) == 0) close(open("/dev/null", O_RDONLY));
  }
  return 0;
}
