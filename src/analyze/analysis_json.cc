// SPDX-License-Identifier: Apache-2.0
#include "analyze/analysis_json.h"

#include <fmt/format.h>

#include "syscalls/syscalls.h"

namespace sysfence::analyze {
namespace {

nlohmann::json OriginToJson(const SyscallOrigin& o) {
  return {{"module", o.module}, {"function", o.function}, {"address", fmt::format("{:#x}", o.address)}};
}

uint64_t ParseAddress(const nlohmann::json& json) {
  return std::stoull(json.get<std::string>(), nullptr, 0);
}

}  // namespace

nlohmann::json AnalysisToJson(const Analysis& analysis) {
  nlohmann::json syscalls = nlohmann::json::array();
  for (const FoundSyscall& s : analysis.syscalls) {
    nlohmann::json origins = nlohmann::json::array();
    for (const SyscallOrigin& o : s.origins) origins.push_back(OriginToJson(o));
    syscalls.push_back({{"arch", ArchName(s.arch)}, {"name", s.name}, {"number", s.number}, {"origins", origins}});
  }
  nlohmann::json unresolved = nlohmann::json::array();
  for (const UnresolvedSite& u : analysis.unresolved) {
    unresolved.push_back({{"module", u.module}, {"function", u.function}, {"address", fmt::format("{:#x}", u.address)},
                          {"reason", u.reason}});
  }
  nlohmann::json modules = nlohmann::json::array();
  for (const ModuleSummary& m : analysis.modules) {
    modules.push_back({{"path", m.path}, {"build_id", m.build_id}, {"from_cache", m.from_cache},
                       {"functions", m.functions}, {"reachable", m.reachable}, {"warnings", m.warnings}});
  }
  return {{"kind", kAnalysisKind},
          {"schema", 1},
          {"program", analysis.program},
          {"arch", ArchName(analysis.arch)},
          {"library_mode", analysis.library_mode},
          {"complete", analysis.complete()},
          {"syscalls", syscalls},
          {"unresolved", unresolved},
          {"not_analyzed", analysis.not_analyzed},
          {"missing_symbols", analysis.missing_symbols},
          {"modules", modules}};
}

bool LooksLikeAnalysisJson(const std::string& text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  return json.is_object() && json.value("kind", "") == kAnalysisKind;
}

Result<Analysis> AnalysisFromJson(const std::string& text, const std::string& source) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return MakeError(ErrorCode::kInvalidInput, source + ": not valid JSON");
  Analysis analysis;
  std::string where = "";
  try {
    where = "/schema";
    if (json.at("schema").get<int>() != 1) return MakeError(ErrorCode::kInvalidInput, source + ": /schema: only schema 1 is known");
    where = "/program";
    analysis.program = json.at("program").get<std::string>();
    where = "/arch";
    auto arch = ArchFromName(json.at("arch").get<std::string>());
    if (!arch) return MakeError(ErrorCode::kInvalidInput, source + ": /arch: unknown architecture");
    analysis.arch = *arch;
    const auto& list = json.at("syscalls");
    for (size_t i = 0; i < list.size(); ++i) {
      where = fmt::format("/syscalls/{}", i);
      FoundSyscall s;
      auto sarch = ArchFromName(list[i].at("arch").get<std::string>());
      if (!sarch) return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: {}/arch: unknown architecture", source, where));
      s.arch = *sarch;
      s.name = list[i].at("name").get<std::string>();
      if (!syscalls::NumberOf(s.arch, s.name)) {
        return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: {}/name: '{}' is no {} syscall", source, where, s.name,
                                                               ArchName(s.arch)));
      }
      s.number = *syscalls::NumberOf(s.arch, s.name);
      for (const auto& o : list[i].at("origins")) {
        s.origins.push_back({o.at("module").get<std::string>(), o.at("function").get<std::string>(), ParseAddress(o.at("address"))});
      }
      analysis.syscalls.push_back(std::move(s));
    }
    where = "/unresolved";
    for (const auto& u : json.at("unresolved")) {
      analysis.unresolved.push_back({u.at("module").get<std::string>(), u.at("function").get<std::string>(),
                                     ParseAddress(u.at("address")), u.at("reason").get<std::string>()});
    }
    where = "/not_analyzed";
    json.at("not_analyzed").get_to(analysis.not_analyzed);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidInput, fmt::format("{}: {}: {}", source, where, e.what()));
  }
  return analysis;
}

std::string RenderAnalysis(const Analysis& analysis, bool verbose) {
  std::string text = fmt::format("{}: {} syscalls reachable{}\n", analysis.program, analysis.syscalls.size(),
                                 analysis.library_mode ? " (a library: every exported function counts as called)" : "");
  for (const FoundSyscall& s : analysis.syscalls) {
    const SyscallOrigin& o = s.origins.front();
    text += fmt::format("  {:<24} {}{}: {}\n", s.arch == Arch::kX86_64 ? s.name : fmt::format("{} ({})", s.name, ArchName(s.arch)),
                        o.module, o.address != 0 ? fmt::format(" {:#x}", o.address) : "", o.function);
  }
  if (!analysis.unresolved.empty()) {
    text += fmt::format("{} sites whose number is unknown (the set may miss what they make):\n", analysis.unresolved.size());
    const size_t shown = verbose ? analysis.unresolved.size() : std::min<size_t>(analysis.unresolved.size(), 10);
    for (size_t i = 0; i < shown; ++i) {
      const UnresolvedSite& u = analysis.unresolved[i];
      text += fmt::format("  {} {:#x} in {}: {}\n", u.module, u.address, u.function, u.reason);
    }
    if (shown < analysis.unresolved.size()) text += fmt::format("  … {} more (--verbose or --json)\n", analysis.unresolved.size() - shown);
  }
  for (const std::string& what : analysis.not_analyzed) text += "not analysed: " + what + "\n";
  for (const std::string& symbol : analysis.missing_symbols) text += "no module defines: " + symbol + "\n";
  if (verbose) {
    for (const ModuleSummary& m : analysis.modules) {
      text += fmt::format("module {}: {} of {} functions reachable{}\n", m.path, m.reachable, m.functions,
                          m.from_cache ? " (cached)" : "");
      for (const std::string& w : m.warnings) text += "  warning: " + w + "\n";
    }
  }
  return text;
}

}  // namespace sysfence::analyze
