// SPDX-License-Identifier: Apache-2.0
// What a public sysfence::Policy holds, and the bridge from internal errors to public Statuses.
#pragma once

#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "policy/policy.h"
#include "sysfence/sysfence.h"

namespace sysfence {

/// The internal model behind a public Policy.
struct Policy::Impl {
  policy::Policy model;
};

namespace api {

/// The implementation's door to a public Policy's internals (a friend of Policy).
struct PolicyAccess {
  /// The model behind `policy`.
  static const policy::Policy& Model(const Policy& policy) { return policy.impl_->model; }
  /// A public Policy holding `model`.
  static Policy Wrap(policy::Policy model);
};

/// The model behind `policy`.
inline const policy::Policy& ModelOf(const Policy& policy) { return PolicyAccess::Model(policy); }

/// A failed Status for `step` from an internal Error (its message is kept whole).
Status StatusFromError(std::string step, const Error& error);

/// A failed Status for `step` from diagnostics: every error rendered, one per line.
Status StatusFromDiagnostics(std::string step, const Diagnostics& diagnostics);

/// Wraps an internal policy into a public one.
Policy WrapPolicy(policy::Policy model);

}  // namespace api
}  // namespace sysfence
