// The log-log SVG line plot of dlc bench. See SvgPlot.h.
#include "compiler/tools/dlc/SvgPlot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dlc::cli {

namespace {

// The plot area inside the document: margins for ticks, labels and legend.
constexpr double kLeft = 80, kTop = 44, kRight = 200, kBottom = 60;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A decade tick label: 0.001, 0.1, 1, 10, 1000, 1e+06.
std::string decadeLabel(int exponent) {
  char buf[32];
  double v = std::pow(10.0, exponent);
  if (exponent >= -3 && exponent <= 5)
    std::snprintf(buf, sizeof buf, "%.*f", exponent < 0 ? -exponent : 0, v);
  else
    std::snprintf(buf, sizeof buf, "1e%d", exponent);
  return buf;
}

bool drawable(const std::pair<double, double>& p) {
  return std::isfinite(p.first) && std::isfinite(p.second) && p.first > 0 && p.second > 0;
}

// An axis on log10 of [lo, hi], widened to whole decades.
struct LogAxis {
  int firstDecade = 0, lastDecade = 1;
  double pixelLo = 0, pixelHi = 1;  // where firstDecade and lastDecade land
  double at(double v) const {
    double t = (std::log10(v) - firstDecade) / double(lastDecade - firstDecade);
    return pixelLo + t * (pixelHi - pixelLo);
  }
};

LogAxis makeAxis(double lo, double hi, double pixelLo, double pixelHi) {
  LogAxis axis;
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) lo = 1, hi = 10;
  axis.firstDecade = int(std::floor(std::log10(lo)));
  axis.lastDecade = int(std::ceil(std::log10(hi)));
  if (axis.lastDecade <= axis.firstDecade) axis.lastDecade = axis.firstDecade + 1;
  axis.pixelLo = pixelLo;
  axis.pixelHi = pixelHi;
  return axis;
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string renderLogLogSvg(const LogLogPlot& plot) {
  const double w = plot.width, h = plot.height;
  const double x0 = kLeft, x1 = w - kRight, y0 = h - kBottom, y1 = kTop;

  double xLo = std::numeric_limits<double>::infinity(), xHi = 0;
  double yLo = std::numeric_limits<double>::infinity(), yHi = 0;
  for (const PlotSeries& s : plot.series)
    for (const auto& p : s.points) {
      if (!drawable(p)) continue;
      xLo = std::min(xLo, p.first), xHi = std::max(xHi, p.first);
      yLo = std::min(yLo, p.second), yHi = std::max(yHi, p.second);
    }
  LogAxis xAxis = makeAxis(xLo, xHi, x0, x1);
  LogAxis yAxis = makeAxis(yLo, yHi, y0, y1);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) +
                    "\" height=\"" + num(h) + "\" viewBox=\"0 0 " + num(w) + " " + num(h) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) +
         "\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"24\" text-anchor=\"middle\" "
         "font-size=\"15\">" + xmlEscape(plot.title) + "</text>\n";

  // Grid and ticks: one line per decade.
  svg += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
  for (int e = xAxis.firstDecade; e <= xAxis.lastDecade; ++e) {
    double x = xAxis.at(std::pow(10.0, e));
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(y1) + "\"/>\n";
  }
  for (int e = yAxis.firstDecade; e <= yAxis.lastDecade; ++e) {
    double y = yAxis.at(std::pow(10.0, e));
    svg += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x1) + "\" y2=\"" +
           num(y) + "\"/>\n";
  }
  svg += "</g>\n<g fill=\"#333333\">\n";
  for (int e = xAxis.firstDecade; e <= xAxis.lastDecade; ++e)
    svg += "<text x=\"" + num(xAxis.at(std::pow(10.0, e))) + "\" y=\"" + num(y0 + 18) +
           "\" text-anchor=\"middle\">" + decadeLabel(e) + "</text>\n";
  for (int e = yAxis.firstDecade; e <= yAxis.lastDecade; ++e)
    svg += "<text x=\"" + num(x0 - 8) + "\" y=\"" + num(yAxis.at(std::pow(10.0, e)) + 4) +
           "\" text-anchor=\"end\">" + decadeLabel(e) + "</text>\n";
  svg += "</g>\n";
  svg += "<rect x=\"" + num(x0) + "\" y=\"" + num(y1) + "\" width=\"" + num(x1 - x0) +
         "\" height=\"" + num(y0 - y1) + "\" fill=\"none\" stroke=\"#333333\"/>\n";
  svg += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(h - 16) +
         "\" text-anchor=\"middle\">" + xmlEscape(plot.xLabel) + "</text>\n";
  svg += "<text x=\"20\" y=\"" + num((y0 + y1) / 2) + "\" text-anchor=\"middle\" "
         "transform=\"rotate(-90 20 " + num((y0 + y1) / 2) + ")\">" + xmlEscape(plot.yLabel) +
         "</text>\n";

  // Series: a polyline through the points in x order, a marker on each.
  for (const PlotSeries& s : plot.series) {
    std::vector<std::pair<double, double>> points;
    for (const auto& p : s.points)
      if (drawable(p)) points.push_back(p);
    std::sort(points.begin(), points.end());
    if (points.empty()) continue;
    std::string coords;
    for (const auto& p : points)
      coords += (coords.empty() ? "" : " ") + num(xAxis.at(p.first)) + "," + num(yAxis.at(p.second));
    const std::string color = xmlEscape(s.color);
    svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6,4\"" : "") + " points=\"" + coords + "\"/>\n";
    for (const auto& p : points)
      svg += "<circle cx=\"" + num(xAxis.at(p.first)) + "\" cy=\"" + num(yAxis.at(p.second)) +
             "\" r=\"3\" fill=\"" + color + "\"/>\n";
  }

  // Legend, right of the plot area.
  double ly = y1 + 10;
  for (const PlotSeries& s : plot.series) {
    const std::string color = xmlEscape(s.color);
    svg += "<line x1=\"" + num(x1 + 16) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(x1 + 46) +
           "\" y2=\"" + num(ly) + "\" stroke=\"" + color + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6,4\"" : "") + "/>\n";
    svg += "<text x=\"" + num(x1 + 52) + "\" y=\"" + num(ly + 4) + "\">" + xmlEscape(s.label) +
           "</text>\n";
    ly += 20;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace dlc::cli
