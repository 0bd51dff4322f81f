// SPDX-License-Identifier: Apache-2.0
// The linter's machine-readable outputs: JSON and SARIF 2.1.0.
#include <map>

#include <nlohmann/json.hpp>

#include "inspect/lint.h"

namespace sysfence::inspect {
namespace {

using Json = nlohmann::ordered_json;

Json WitnessJson(const SeccompData& data) {
  Json witness;
  witness["nr"] = static_cast<uint32_t>(data.nr);
  witness["arch"] = data.arch;
  witness["instruction_pointer"] = data.instruction_pointer;
  witness["args"] = std::vector<uint64_t>(std::begin(data.args), std::end(data.args));
  return witness;
}

std::pair<int, int> LocationOf(const std::vector<std::pair<int, int>>& locations, size_t i) {
  return i < locations.size() ? locations[i] : std::pair<int, int>{0, 0};
}

std::string SarifLevel(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "note";
}

}  // namespace

std::string FindingsJson(const std::vector<Finding>& findings, const std::vector<std::pair<int, int>>& locations) {
  Json out;
  out["findings"] = Json::array();
  size_t counts[3] = {0, 0, 0};
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    ++counts[static_cast<int>(f.severity)];
    Json item;
    item["check"] = f.check;
    item["severity"] = std::string(SeverityName(f.severity));
    item["message"] = f.message;
    item["fix"] = f.fix;
    item["filter"] = f.filter;
    item["instruction"] = f.instruction ? Json(*f.instruction) : Json(nullptr);
    item["arch"] = f.arch ? Json(std::string(ArchName(*f.arch))) : Json(nullptr);
    item["syscall"] = f.syscall.empty() ? Json(nullptr) : Json(f.syscall);
    const auto [line, column] = LocationOf(locations, i);
    item["line"] = line > 0 ? Json(line) : Json(nullptr);
    item["column"] = column > 0 ? Json(column) : Json(nullptr);
    item["witness"] = f.witness ? WitnessJson(*f.witness) : Json(nullptr);
    out["findings"].push_back(std::move(item));
  }
  out["errors"] = counts[0];
  out["warnings"] = counts[1];
  out["notes"] = counts[2];
  return out.dump(2) + "\n";
}

std::string FindingsSarif(const std::vector<Finding>& findings, const std::vector<std::pair<int, int>>& locations,
                          const std::string& artifact) {
  Json rules = Json::array();
  std::map<std::string, size_t> rule_index;
  for (const Finding& f : findings) {
    if (rule_index.count(f.check) != 0) continue;
    rule_index[f.check] = rules.size();
    Json rule;
    rule["id"] = f.check;
    rule["shortDescription"]["text"] = f.check;
    rule["help"]["text"] = f.fix;
    rule["defaultConfiguration"]["level"] = SarifLevel(f.severity);
    rules.push_back(std::move(rule));
  }
  Json results = Json::array();
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    Json result;
    result["ruleId"] = f.check;
    result["ruleIndex"] = rule_index[f.check];
    result["level"] = SarifLevel(f.severity);
    result["message"]["text"] = f.fix.empty() ? f.message : f.message + " Fix: " + f.fix;
    Json location;
    location["physicalLocation"]["artifactLocation"]["uri"] = artifact;
    const auto [line, column] = LocationOf(locations, i);
    if (line > 0) {
      location["physicalLocation"]["region"]["startLine"] = line;
      if (column > 0) location["physicalLocation"]["region"]["startColumn"] = column;
    } else {
      location["physicalLocation"]["region"]["startLine"] = 1;
    }
    if (f.instruction) {
      Json logical;
      logical["name"] = "filter " + std::to_string(f.filter) + ", instruction " + std::to_string(*f.instruction);
      logical["kind"] = "function";
      location["logicalLocations"] = Json::array({logical});
    }
    result["locations"] = Json::array({location});
    results.push_back(std::move(result));
  }
  Json run;
  run["tool"]["driver"]["name"] = "sysfence";
  run["tool"]["driver"]["rules"] = std::move(rules);
  run["results"] = std::move(results);
  Json sarif;
  sarif["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  sarif["version"] = "2.1.0";
  sarif["runs"] = Json::array({run});
  return sarif.dump(2) + "\n";
}

}  // namespace sysfence::inspect
