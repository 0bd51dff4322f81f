// SPDX-License-Identifier: Apache-2.0
// The kinds of failure sysfence reports, shared by the public API (Status::code()) and the internal
// libraries (core/result.h's Error), so a library user can branch on what went wrong.
#pragma once

namespace sysfence {

/// What kind of failure an error reports; stable so callers can branch on it.
enum class ErrorCode {
  kInvalidInput,   ///< malformed or inconsistent input (policy text, JSON, BPF file, arguments)
  kNotFound,       ///< a named thing (file, syscall, pid, group) does not exist
  kUnsupported,    ///< this kernel or build lacks a feature the request needs
  kPermission,     ///< the OS refused for lack of privilege
  kOs,             ///< another OS call failed; the message names the step and errno
  kLimit,          ///< a hard limit was exceeded (4096 instructions, include depth, ...)
  kInternal,       ///< a bug in sysfence
};

}  // namespace sysfence
