// SPDX-License-Identifier: Apache-2.0
#include "analyze/module_cache.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sysfence::analyze {
namespace {

nlohmann::json ValueToJson(const Value& v) {
  if (v.unknown) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  out.push_back(v.entry);
  for (int i = 0; i < v.count; ++i) out.push_back(v.constants[i]);
  return out;
}

Value ValueFromJson(const nlohmann::json& json) {
  if (!json.is_array() || json.empty()) return Value::Unknown();
  Value v;
  v.entry = json[0].get<int8_t>();
  for (size_t i = 1; i < json.size(); ++i) v.AddConstant(json[i].get<uint64_t>());
  return v;
}

// mkdir -p.
bool MakeFolders(const std::string& folder) {
  for (size_t at = 1; at <= folder.size(); ++at) {
    if (at == folder.size() || folder[at] == '/') {
      const std::string prefix = folder.substr(0, at);
      if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

std::string EntryPath(const std::string& folder, const std::string& build_id) {
  return fmt::format("{}/{}.v{}.msgpack", folder, build_id, kCacheFormatVersion);
}

}  // namespace

std::string DefaultCacheFolder() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/sysfence/analyze";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::string(home) + "/.cache/sysfence/analyze";
  }
  return "";
}

nlohmann::json GraphToJson(const ModuleGraph& graph) {
  nlohmann::json functions = nlohmann::json::array();
  for (const Function& f : graph.functions) {
    nlohmann::json sites = nlohmann::json::array();
    for (const SyscallSite& s : f.syscalls) sites.push_back({s.address, s.i386, ValueToJson(s.number)});
    nlohmann::json calls = nlohmann::json::array();
    for (const CallSite& c : f.calls) {
      nlohmann::json args = nlohmann::json::array();
      for (const auto& [reg, value] : c.arguments) args.push_back({reg, ValueToJson(value)});
      calls.push_back({c.address, c.target, c.import, args});
    }
    functions.push_back({f.start, f.end, f.name, sites, calls, f.references, f.import_references, f.number_registers});
  }
  nlohmann::json exports = nlohmann::json::array();
  for (const auto& [name, address] : graph.exports) exports.push_back({name, address});
  return {{"format", kCacheFormatVersion}, {"path", graph.path}, {"soname", graph.soname},
          {"build_id", graph.build_id}, {"machine", graph.machine}, {"needed", graph.needed},
          {"rpath", graph.rpath}, {"runpath", graph.runpath}, {"interpreter", graph.interpreter},
          {"entry", graph.entry}, {"functions", functions}, {"imports", graph.imports},
          {"import_weak", graph.import_weak}, {"exports", exports}, {"roots", graph.roots},
          {"root_imports", graph.root_imports}, {"warnings", graph.warnings}};
}

Result<ModuleGraph> GraphFromJson(const nlohmann::json& json) {
  try {
    if (json.at("format").get<int>() != kCacheFormatVersion) {
      return MakeError(ErrorCode::kInvalidInput, "/format: another cache format version");
    }
    ModuleGraph graph;
    json.at("path").get_to(graph.path);
    json.at("soname").get_to(graph.soname);
    json.at("build_id").get_to(graph.build_id);
    json.at("machine").get_to(graph.machine);
    json.at("needed").get_to(graph.needed);
    json.at("rpath").get_to(graph.rpath);
    json.at("runpath").get_to(graph.runpath);
    json.at("interpreter").get_to(graph.interpreter);
    json.at("entry").get_to(graph.entry);
    json.at("imports").get_to(graph.imports);
    json.at("import_weak").get_to(graph.import_weak);
    json.at("roots").get_to(graph.roots);
    json.at("root_imports").get_to(graph.root_imports);
    json.at("warnings").get_to(graph.warnings);
    for (const auto& e : json.at("exports")) graph.exports.emplace(e.at(0).get<std::string>(), e.at(1).get<uint64_t>());
    const auto& functions = json.at("functions");
    graph.functions.reserve(functions.size());
    for (const auto& f : functions) {
      Function function;
      function.start = f.at(0).get<uint64_t>();
      function.end = f.at(1).get<uint64_t>();
      function.name = f.at(2).get<std::string>();
      for (const auto& s : f.at(3)) {
        function.syscalls.push_back(SyscallSite{s.at(0).get<uint64_t>(), s.at(1).get<bool>(), ValueFromJson(s.at(2))});
      }
      for (const auto& c : f.at(4)) {
        CallSite call{c.at(0).get<uint64_t>(), c.at(1).get<uint64_t>(), c.at(2).get<int32_t>(), {}};
        for (const auto& a : c.at(3)) call.arguments.emplace_back(a.at(0).get<int8_t>(), ValueFromJson(a.at(1)));
        function.calls.push_back(std::move(call));
      }
      f.at(5).get_to(function.references);
      f.at(6).get_to(function.import_references);
      function.number_registers = f.at(7).get<uint32_t>();
      graph.functions.push_back(std::move(function));
    }
    for (const Function& f : graph.functions) {
      for (const CallSite& c : f.calls) {
        if (c.import >= static_cast<int32_t>(graph.imports.size())) {
          return MakeError(ErrorCode::kInvalidInput, "/functions: import index out of range");
        }
      }
    }
    return graph;
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidInput, std::string("cache entry: ") + e.what());
  }
}

std::optional<ModuleGraph> LoadCachedGraph(const std::string& folder, const std::string& build_id,
                                           const std::string& path) {
  if (folder.empty() || build_id.empty()) return std::nullopt;
  std::ifstream in(EntryPath(folder, build_id), std::ios::binary);
  if (!in) return std::nullopt;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json json = nlohmann::json::from_msgpack(bytes, true, false);
  if (json.is_discarded()) return std::nullopt;
  auto graph = GraphFromJson(json);
  if (!graph.ok() || graph->build_id != build_id) return std::nullopt;
  graph->path = path;  // the same library may sit at another path
  return std::move(graph.value());
}

Result<ModuleGraph> LoadModuleGraph(const std::string& path, const std::string& folder, bool* from_cache) {
  *from_cache = false;
  if (!folder.empty()) {
    auto build_id = ElfFile::ReadBuildId(path);
    if (!build_id.ok()) return build_id.error();
    if (auto cached = LoadCachedGraph(folder, *build_id, path)) {
      *from_cache = true;
      return std::move(*cached);
    }
  }
  auto elf = ElfFile::Load(path);
  if (!elf.ok()) return elf.error();
  auto graph = BuildModuleGraph(*elf);
  if (!graph.ok()) return graph.error();
  if (!folder.empty()) {
    if (auto stored = StoreCachedGraph(folder, *graph); !stored.ok()) {
      graph->warnings.push_back("not cached: " + stored.error().message);
    }
  }
  return graph;
}

Result<void> StoreCachedGraph(const std::string& folder, const ModuleGraph& graph) {
  if (folder.empty() || graph.build_id.empty()) return Ok();
  if (!MakeFolders(folder)) {
    return MakeError(ErrorCode::kOs, fmt::format("cannot create cache folder {}: {}", folder, std::strerror(errno)));
  }
  const std::vector<uint8_t> bytes = nlohmann::json::to_msgpack(GraphToJson(graph));
  const std::string target = EntryPath(folder, graph.build_id);
  const std::string temporary = fmt::format("{}.tmp{}", target, getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      unlink(temporary.c_str());
      return MakeError(ErrorCode::kOs, fmt::format("cannot write cache entry {}", temporary));
    }
  }
  if (rename(temporary.c_str(), target.c_str()) != 0) {
    unlink(temporary.c_str());
    return MakeError(ErrorCode::kOs, fmt::format("cannot rename {}: {}", temporary, std::strerror(errno)));
  }
  return Ok();
}

}  // namespace sysfence::analyze
