// SPDX-License-Identifier: Apache-2.0
#include "formats/kubernetes_reader.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "formats/json_reader.h"
#include "formats/oci_import.h"

namespace sysfence::formats {
namespace {

using Json = nlohmann::json;

// A YAML node turned into JSON, with where each JSON path came from.
class YamlToJson {
 public:
  explicit YamlToJson(std::string file) : file_(std::move(file)) {}

  std::optional<Json> Convert(const YAML::Node& node, const std::string& path, Diagnostics& diagnostics) {
    return Value(node, path, 0, diagnostics);
  }

  // The line:col of `path`, or of its nearest ancestor that has one.
  SourceSpan SpanOf(std::string path) const {
    while (true) {
      if (auto it = marks_.find(path); it != marks_.end()) {
        return SourceSpan{file_, static_cast<uint32_t>(it->second.line + 1),
                          static_cast<uint32_t>(it->second.column + 1), 0, ""};
      }
      const size_t cut = path.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) return SourceSpan{file_, 0, 0, 0, ""};
      path.resize(cut);
    }
  }

 private:
  SourceSpan At(const YAML::Mark& mark) const {
    return SourceSpan{file_, static_cast<uint32_t>(mark.line + 1), static_cast<uint32_t>(mark.column + 1), 0, ""};
  }

  std::optional<Json> Value(const YAML::Node& node, const std::string& path, int depth, Diagnostics& diagnostics) {
    marks_[path] = node.Mark();
    if (++nodes_ > kMaxYamlNodes || depth > kMaxJsonDepth) {
      diagnostics.Error(At(node.Mark()), depth > kMaxJsonDepth
                                             ? "YAML nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"
                                             : "YAML expands to more than " + std::to_string(kMaxYamlNodes) +
                                                   " nodes (aliases included)");
      return std::nullopt;
    }
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        Json object = Json::object();
        for (auto it = node.begin(); it != node.end(); ++it) {
          if (!it->first.IsScalar()) {
            diagnostics.Error(At(it->first.Mark()), "a mapping key must be a plain string");
            return std::nullopt;
          }
          const std::string key = it->first.Scalar();
          auto value = Value(it->second, path + "." + key, depth + 1, diagnostics);
          if (!value) return std::nullopt;
          object[key] = std::move(*value);
        }
        return object;
      }
      case YAML::NodeType::Sequence: {
        Json array = Json::array();
        for (size_t i = 0; i < node.size(); ++i) {
          auto value = Value(node[i], path + "[" + std::to_string(i) + "]", depth + 1, diagnostics);
          if (!value) return std::nullopt;
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Scalar: return Scalar(node, diagnostics);
      default: return Json();  // null or an empty value
    }
  }

  // A scalar typed as Kubernetes' YAML reader types it: quoted or !!str is a string; plain text
  // is null, a boolean, an integer (decimal, 0x hex, 0o octal), a fractional number or a string.
  std::optional<Json> Scalar(const YAML::Node& node, Diagnostics& diagnostics) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return Json(text);
    if (tag != "?" && tag != "tag:yaml.org,2002:int") {
      diagnostics.Error(At(node.Mark()), "unsupported YAML tag '" + tag + "'");
      return std::nullopt;
    }
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return Json();
    if (text == "true" || text == "True" || text == "TRUE") return Json(true);
    if (text == "false" || text == "False" || text == "FALSE") return Json(false);
    static const std::regex kInteger("[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)");
    static const std::regex kFraction("[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*|[0-9]+)([eE][-+]?[0-9]+)?");
    if (std::regex_match(text, kInteger)) return Integer(node, text, diagnostics);
    if (std::regex_match(text, kFraction)) return Json(std::stod(text));
    return Json(text);
  }

  std::optional<Json> Integer(const YAML::Node& node, const std::string& text, Diagnostics& diagnostics) {
    const bool negative = text[0] == '-';
    std::string_view digits(text);
    if (text[0] == '-' || text[0] == '+') digits.remove_prefix(1);
    int base = 10;
    if (digits.starts_with("0x")) base = 16;
    if (digits.starts_with("0o")) base = 8;
    if (base != 10) digits.remove_prefix(2);
    uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    const uint64_t most_negative = uint64_t{1} << 63;
    if (ec != std::errc() || end != digits.data() + digits.size() || (negative && magnitude > most_negative)) {
      diagnostics.Error(At(node.Mark()), "the number " + text + " is out of the 64-bit range");
      return std::nullopt;
    }
    if (!negative) return Json(magnitude);
    return Json(static_cast<int64_t>(0 - magnitude));
  }

  std::string file_;
  std::map<std::string, YAML::Mark> marks_;
  size_t nodes_ = 0;
};

// A Kubernetes object found in the input.
struct Found {
  YAML::Node node;
  std::string kind;
  std::string name;
};

std::string ScalarField(const YAML::Node& object, const char* key) {
  const YAML::Node field = object[key];
  return field && field.IsScalar() ? field.Scalar() : std::string();
}

// The objects of every document, a List's items in place of the List.
std::vector<Found> Objects(const std::vector<YAML::Node>& documents) {
  std::vector<Found> out;
  auto add = [&](const YAML::Node& node) {
    if (!node.IsMap()) return;
    const YAML::Node metadata = node["metadata"];
    out.push_back(Found{node, ScalarField(node, "kind"), metadata && metadata.IsMap() ? ScalarField(metadata, "name") : ""});
  };
  for (const YAML::Node& document : documents) {
    const std::string kind = document.IsMap() ? ScalarField(document, "kind") : "";
    const YAML::Node items = document.IsMap() ? document["items"] : YAML::Node();
    if (kind.ends_with("List") && items && items.IsSequence()) {
      for (const YAML::Node& item : items) add(item);
    } else {
      add(document);
    }
  }
  return out;
}

std::string NameList(const std::vector<const Found*>& profiles) {
  std::string out;
  for (const Found* found : profiles) out += (out.empty() ? "" : ", ") + (found->name.empty() ? "(unnamed)" : found->name);
  return out;
}

// The one SeccompProfile to read, or an error.
const Found* Choose(const std::vector<Found>& objects, const std::string& wanted, const SourceSpan& file,
                    Diagnostics& diagnostics) {
  std::vector<const Found*> profiles;
  for (const Found& found : objects) {
    if (found.kind == "SeccompProfile") profiles.push_back(&found);
  }
  if (profiles.empty()) {
    std::string kinds;
    for (const Found& found : objects) kinds += (kinds.empty() ? "" : ", ") + (found.kind.empty() ? "?" : found.kind);
    diagnostics.Error(file, "no SeccompProfile here" + (kinds.empty() ? std::string() : " (found: " + kinds + ")"));
    return nullptr;
  }
  if (!wanted.empty()) {
    for (const Found* found : profiles) {
      if (found->name == wanted) return found;
    }
    diagnostics.Error(file, "no SeccompProfile named '" + wanted + "' here (there are: " + NameList(profiles) + ")");
    return nullptr;
  }
  if (profiles.size() > 1) {
    diagnostics.Error(file, std::to_string(profiles.size()) + " SeccompProfiles here (" + NameList(profiles) + ")",
                      "choose one: '" + file.file + "#NAME'");
    return nullptr;
  }
  return profiles.front();
}

bool IsJsonText(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

bool LooksLikeKubernetesYaml(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    return line == "---" || line.starts_with("--- ") || line.starts_with("%YAML") || line.starts_with("apiVersion:") ||
           line.starts_with("kind:");
  }
  return false;
}

bool IsKubernetesJsonList(std::string_view text) {
  if (!IsJsonText(text)) return false;
  JsonReadError ignored;
  std::optional<Json> root = ReadJson(text, &ignored, kMaxJsonDepth);
  if (!root || !root->is_object()) return false;
  auto kind = root->find("kind");
  auto items = root->find("items");
  return kind != root->end() && kind->is_string() && kind->get<std::string>().ends_with("List") &&
         items != root->end() && items->is_array();
}

std::optional<policy::Policy> ImportKubernetesText(std::string_view text, std::string_view file_name,
                                                   const LoadOptions& options, Diagnostics& diagnostics) {
  const SourceSpan file{std::string(file_name), 0, 0, 0, ""};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    diagnostics.Error(SourceSpan{file.file, static_cast<uint32_t>(error.mark.line + 1),
                                 static_cast<uint32_t>(error.mark.column + 1), 1, ""},
                      "malformed YAML: " + error.msg);
    return std::nullopt;
  }
  const std::vector<Found> objects = Objects(documents);
  const Found* chosen = Choose(objects, options.object_name, file, diagnostics);
  if (chosen == nullptr) return std::nullopt;
  YamlToJson converter(file.file);
  std::optional<Json> json = converter.Convert(chosen->node, "$", diagnostics);
  if (!json) return std::nullopt;
  // The OCI importer reads the object; its diagnostics get the YAML position of their JSON path.
  Diagnostics inner;
  std::optional<policy::Policy> policy = ImportOciProfile(json->dump(), file_name, options, inner);
  for (Diagnostic diagnostic : inner.all()) {
    if (!diagnostic.span.json_path.empty()) {
      const SourceSpan where = converter.SpanOf(diagnostic.span.json_path);
      diagnostic.span.line = where.line;
      diagnostic.span.column = where.column;
    }
    switch (diagnostic.severity) {
      case Severity::kError: diagnostics.Error(diagnostic.span, diagnostic.message, diagnostic.hint); break;
      case Severity::kWarning: diagnostics.Warning(diagnostic.span, diagnostic.message, diagnostic.hint); break;
      case Severity::kNote: diagnostics.Note(diagnostic.span, diagnostic.message, diagnostic.hint); break;
    }
  }
  return policy;
}

}  // namespace sysfence::formats
