// SPDX-License-Identifier: Apache-2.0
#include "report/html.h"

#include "fmt/format.h"
#include "report/assets.h"

namespace sysfence::report {
namespace {

std::string EscapeHtmlText(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Inline script text must not close its element: Chart.js's build holds no "</script" (checked
// here all the same, so a future version could not break the page unnoticed).
std::string SafeScript(std::string_view script) {
  std::string out(script);
  for (size_t at = 0; (at = out.find("</", at)) != std::string::npos; at += 3) out.replace(at, 2, "<\\/");
  return out;
}

}  // namespace

std::string EmbeddableJson(const nlohmann::json& model) {
  const std::string dumped = model.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;  // ensure_ascii already wrote U+2028/U+2029 as \u escapes
    }
  }
  return out;
}

std::string RenderPage(const nlohmann::json& model, const std::string& title) {
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // default-src 'none': the page can load nothing (no fonts, images, fetches), even if a script tried.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  page += "<meta name=\"generator\" content=\"sysfence report\">\n";
  page += fmt::format("<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n", EscapeHtmlText(title),
                      assets::kPageStyle);
  page += fmt::format("<header><h1>{}</h1></header>\n<main id=\"report\"></main>\n", EscapeHtmlText(title));
  page += fmt::format(
      "<footer><p>Charts drawn with <a href=\"https://www.chartjs.org/\">Chart.js</a> {} (MIT License), "
      "inlined:</p><pre id=\"chartjs-license\">{}</pre></footer>\n",
      assets::kChartJsVersion, EscapeHtmlText(std::string(assets::kChartJsLicense)));
  page += "<script id=\"model\" type=\"application/json\">" + EmbeddableJson(model) + "</script>\n";
  page += "<script>\n" + SafeScript(assets::kChartJs) + "\n</script>\n";
  page += "<script>\n" + SafeScript(assets::kPageScript) + "\n</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace sysfence::report
