// SPDX-License-Identifier: Apache-2.0
// Result<T>: a value or an Error, for user and environment errors. Broken internal invariants are
// asserts instead; libraries never call exit().
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "sysfence/error_code.h"

namespace sysfence {

// ErrorCode (what kind of failure) is shared with the public API's Status.

/// A failure: its kind and a complete, human-readable message (which step failed and why).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

/// Makes an Error; shorthand for `Error{code, std::move(message)}`.
inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

/// Either a T or an Error. Check ok() before value(); value() on an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  /// A successful result holding `value`.
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A failed result holding `error`.
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// True when a value is held.
  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// The held value; only valid when ok().
  T& value() & { assert(ok()); return std::get<0>(data_); }
  const T& value() const& { assert(ok()); return std::get<0>(data_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// The held error; only valid when !ok().
  const Error& error() const { assert(!ok()); return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

/// Result of an operation that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  /// Success.
  Result() = default;
  /// Failure with `error`.
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  /// True on success.
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  /// The error; only valid when !ok().
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

/// Shorthand for a successful Result<void>.
inline Result<void> Ok() { return {}; }

}  // namespace sysfence
