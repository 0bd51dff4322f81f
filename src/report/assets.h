// SPDX-License-Identifier: Apache-2.0
// What the build embeds into every report page (src/report/CMakeLists.txt, embed_assets.cmake):
// Chart.js (pinned, checked by its registry hash) with its license, and the page's own script
// and style.
#pragma once

#include <string_view>

namespace sysfence::report::assets {

/// Chart.js's UMD build (dist/chart.umd.min.js), MIT licensed.
extern const std::string_view kChartJs;
/// Chart.js's LICENSE.md, quoted in every page.
extern const std::string_view kChartJsLicense;
/// The Chart.js version ("4.6.1").
extern const std::string_view kChartJsVersion;
/// The page's script (src/report/page.js): reads the model and draws every section.
extern const std::string_view kPageScript;
/// The page's style sheet (src/report/page.css).
extern const std::string_view kPageStyle;

}  // namespace sysfence::report::assets
