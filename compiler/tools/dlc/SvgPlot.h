// A small, dependency-free SVG line plot with logarithmic axes, for
// `dlc bench --svg`: one polyline (with point markers) per series, decade
// grid lines and tick labels, axis labels, a title and a legend. The output
// is one self-contained SVG document (no scripts, fonts or external files).
//
// It draws only what it is given: points with a non-positive or non-finite
// coordinate (which a log axis cannot show) are left out, and it does no
// statistics. It is not a general charting library.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dlc::cli {

struct PlotSeries {
  std::string label;                             // legend text
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in x order
  std::string color = "#1f77b4";                 // any SVG color
  bool dashed = false;
};

struct LogLogPlot {
  std::string title;
  std::string xLabel;
  std::string yLabel;
  std::vector<PlotSeries> series;
  int width = 720;
  int height = 460;
};

// The SVG document, starting with "<svg" (no XML prolog). Text is escaped.
std::string renderLogLogSvg(const LogLogPlot& plot);

// `text` with &, <, >, " and ' escaped for XML.
std::string xmlEscape(const std::string& text);

}  // namespace dlc::cli
