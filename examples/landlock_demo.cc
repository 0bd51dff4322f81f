// SPDX-License-Identifier: Apache-2.0
// landlock_demo: a program that confines its own file-system access with Landlock through sysfence,
// then shows what it may still do.
//
// Usage: landlock_demo DIR
//   Sandboxes itself so that it may read beneath /usr and /etc and read and write beneath DIR (an
//   existing directory), then: reads /etc/hostname, creates DIR/inside.txt, and tries to create
//   DIR/../outside.txt. Prints the sandbox report and one line per attempt. Exit status 0 when the
//   attempts came out as the policy says, 1 otherwise, 2 on bad usage, 3 when the sandbox failed.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <sysfence/sysfence.h>

namespace {

// Opens `path` with `flags`; prints the outcome; returns whether it matched `expect_ok`.
bool Attempt(const char* what, const std::string& path, int flags, bool expect_ok) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  const int err = errno;
  if (fd >= 0) close(fd);
  printf("%-8s %-40s %s\n", what, path.c_str(), fd >= 0 ? "ok" : strerror(err));
  return (fd >= 0) == expect_ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: %s DIR  (an existing directory, absolute path)\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];

  sysfence::StatusOr<sysfence::Policy> policy = sysfence::PolicyBuilder()
                                                    .Default("allow")  // this demo is about paths
                                                    .Rule("errno EPERM", {"ptrace", "process_vm_writev"})
                                                    .Fs("read", {"/usr", "/etc"})
                                                    .Fs("read,write,make-reg,remove-file", {dir})
                                                    .Build();
  if (!policy.ok()) {
    fprintf(stderr, "landlock_demo: %s\n", policy.status().message().c_str());
    return 2;
  }
  sysfence::StatusOr<sysfence::SandboxReport> report = sysfence::ApplySandbox(*policy);
  if (!report.ok()) {
    fprintf(stderr, "landlock_demo: %s\n", report.status().message().c_str());
    return 3;
  }
  printf("%s", report->ToString().c_str());

  bool as_expected = true;
  as_expected &= Attempt("read", "/etc/hostname", O_RDONLY, true);
  as_expected &= Attempt("create", dir + "/inside.txt", O_WRONLY | O_CREAT | O_TRUNC, true);
  as_expected &= Attempt("create", dir + "/../outside.txt", O_WRONLY | O_CREAT, false);
  return as_expected ? 0 : 1;
}
