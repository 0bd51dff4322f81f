// SPDX-License-Identifier: Apache-2.0
// The report page: one self-contained HTML file (Chart.js, the page script and style inlined, the
// model embedded as JSON), which makes no network request and shows inputs' text only as text.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sysfence::report {

/// `model` as JSON safe inside a <script> element: '<', '>', '&' and U+2028/U+2029 are \u-escaped
/// (so no "</script>" or "<!--" can appear) and invalid UTF-8 is replaced.
std::string EmbeddableJson(const nlohmann::json& model);

/// The whole page for `model` (BuildModel), titled `title`.
std::string RenderPage(const nlohmann::json& model, const std::string& title);

}  // namespace sysfence::report
