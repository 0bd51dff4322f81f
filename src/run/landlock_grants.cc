// SPDX-License-Identifier: Apache-2.0
#include "run/landlock_grants.h"

#include "os/landlock_uapi.h"

namespace sysfence::run {
namespace {

namespace uapi = os::landlock_uapi;

// The policy's FsAccess bits are Landlock's own bit positions, so an fs rule's access passes through.
static_assert(policy::kFsExecute == uapi::kFsExecute && policy::kFsWriteFile == uapi::kFsWriteFile &&
              policy::kFsReadFile == uapi::kFsReadFile && policy::kFsReadDir == uapi::kFsReadDir &&
              policy::kFsRemoveDir == uapi::kFsRemoveDir && policy::kFsRemoveFile == uapi::kFsRemoveFile &&
              policy::kFsMakeChar == uapi::kFsMakeChar && policy::kFsMakeDir == uapi::kFsMakeDir &&
              policy::kFsMakeReg == uapi::kFsMakeReg && policy::kFsMakeSock == uapi::kFsMakeSock &&
              policy::kFsMakeFifo == uapi::kFsMakeFifo && policy::kFsMakeBlock == uapi::kFsMakeBlock &&
              policy::kFsMakeSym == uapi::kFsMakeSym && policy::kFsRefer == uapi::kFsRefer &&
              policy::kFsTruncate == uapi::kFsTruncate && policy::kFsIoctlDev == uapi::kFsIoctlDev);

}  // namespace

os::LandlockGrants LandlockGrantsOf(const std::vector<policy::FsRule>& fs_rules,
                                    const std::vector<policy::NetRule>& net_rules) {
  os::LandlockGrants grants;
  for (const policy::FsRule& rule : fs_rules) grants.paths.push_back({rule.access, rule.paths, rule.span});
  for (const policy::NetRule& rule : net_rules) {
    const uint64_t right = rule.kind == policy::NetRule::Kind::kBind ? uapi::kNetBindTcp : uapi::kNetConnectTcp;
    grants.ports.push_back({right, rule.port, rule.span});
  }
  return grants;
}

os::LandlockGrants LandlockGrantsOf(const policy::Policy& policy) {
  return LandlockGrantsOf(policy.fs_rules, policy.net_rules);
}

}  // namespace sysfence::run
