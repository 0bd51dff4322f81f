// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the OCI/Docker/Kubernetes JSON importer. Any input must import or be rejected
// with diagnostics, never crash; an accepted profile must export to OCI JSON (or be refused with a
// reason), and the export must import back to a policy that decides the same on sampled syscalls.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/oci_export.h"
#include "formats/oci_import.h"
#include "policy/evaluate.h"
#include "syscalls/syscalls.h"

namespace {

using namespace sysfence;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "oci_import_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  formats::LoadOptions options;
  options.host_arch = Arch::kX86_64;
  options.capabilities = {"CAP_SYS_ADMIN"};
  options.kernel_version = "5.10";
  Diagnostics diagnostics;
  auto policy = formats::ImportOciProfile(text, "fuzz.json", options, diagnostics);
  if (!policy) {
    if (!diagnostics.HasErrors()) Fail("rejected without an error");
    return 0;
  }
  if (diagnostics.HasErrors()) Fail("accepted with errors");
  if (policy->arches.empty()) Fail("no ABI");
  Diagnostics export_diagnostics;
  auto exported = formats::ExportOciJson(*policy, export_diagnostics);
  if (!exported.ok()) return 0;  // refused with a reason (expansion limit)
  Diagnostics reimport_diagnostics;
  options.host_arch = policy->arches.front();
  auto again = formats::ImportOciProfile(*exported, "export.json", options, reimport_diagnostics);
  if (!again) Fail("the export does not import");
  const Arch arch = policy->arches.front();
  const auto all = syscalls::AllOf(arch);
  for (size_t i = 0; i < 64 && !all.empty(); ++i) {
    SeccompData sample;
    sample.arch = GetArchInfo(arch).audit_arch;
    sample.nr = static_cast<int32_t>(all[(i * 131 + size) % all.size()].number);
    for (int a = 0; a < 6; ++a) sample.args[a] = size > 0 ? static_cast<uint64_t>(data[(i + a) % size]) << (i % 40) : i;
    if (!(policy::Evaluate(*policy, sample).action == policy::Evaluate(*again, sample).action)) {
      Fail("export changed the meaning");
    }
  }
  return 0;
}
