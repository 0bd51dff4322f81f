// SPDX-License-Identifier: Apache-2.0
// Lookups over the generated tables: binary searches over sorted constant arrays, no allocation
// (the runtime supervisor calls these on its hot path).
#include "syscalls/syscalls.h"

#include <algorithm>

#include "syscalls/table_data.h"

namespace sysfence::syscalls {

std::optional<uint32_t> NumberOf(Arch arch, std::string_view name) {
  const internal::SyscallTableOfArch table = internal::TableOf(arch);
  auto it = std::lower_bound(table.by_name.begin(), table.by_name.end(), name,
                             [&](uint16_t index, std::string_view key) { return table.by_number[index].name < key; });
  if (it == table.by_name.end() || table.by_number[*it].name != name) return std::nullopt;
  return table.by_number[*it].number;
}

std::optional<std::string_view> NameOf(Arch arch, uint32_t nr) {
  const std::span<const SyscallEntry> entries = internal::TableOf(arch).by_number;
  auto it = std::lower_bound(entries.begin(), entries.end(), nr,
                             [](const SyscallEntry& entry, uint32_t key) { return entry.number < key; });
  if (it == entries.end() || it->number != nr) return std::nullopt;
  return it->name;
}

std::span<const SyscallEntry> AllOf(Arch arch) { return internal::TableOf(arch).by_number; }

std::span<const std::string_view> AllNames() { return internal::SortedNames(); }

bool IsKnownName(std::string_view name) {
  const std::span<const std::string_view> names = internal::SortedNames();
  return std::binary_search(names.begin(), names.end(), name);
}

std::span<const ArgInfo> ArgsOf(std::string_view name) {
  const std::span<const internal::SignatureIndex> signatures = internal::Signatures();
  auto it = std::lower_bound(signatures.begin(), signatures.end(), name,
                             [](const internal::SignatureIndex& sig, std::string_view key) { return sig.name < key; });
  if (it == signatures.end() || it->name != name) return {};
  return internal::SignatureArgs().subspan(it->first, it->count);
}

bool HasSignature(std::string_view name) {
  const std::span<const internal::SignatureIndex> signatures = internal::Signatures();
  auto it = std::lower_bound(signatures.begin(), signatures.end(), name,
                             [](const internal::SignatureIndex& sig, std::string_view key) { return sig.name < key; });
  return it != signatures.end() && it->name == name;
}

}  // namespace sysfence::syscalls
