// median() for machine_limits' repetitions. Nothing else.
#pragma once

#include <algorithm>
#include <vector>

namespace dlc::bench {

// The median of a non-empty list (mean of the two middle values if even).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace dlc::bench
