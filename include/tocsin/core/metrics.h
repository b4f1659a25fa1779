// Metrics: counters exported in the Prometheus text format (GET /metrics).
//
// A counter is a name plus a label set, e.g.
// Add("tocsin_ingest_signals_total", {{"type", "alertmanager"}, {"outcome", "started"}}).
// Names are declared once with their help text; undeclared names are still
// exported, without HELP. Thread-safe; cheap enough for every request (one
// mutex, no allocation for an existing series beyond the key).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin {

class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

  void Describe(std::string_view name, std::string_view help);
  void Add(std::string_view name, const Labels& labels, uint64_t n = 1);
  // The current value (0 for a series never added to). For tests.
  uint64_t Get(std::string_view name, const Labels& labels) const;
  // Every series, grouped by name, with "# HELP" and "# TYPE … counter" lines.
  std::string Render() const;

 private:
  static std::string SeriesKey(const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> help_;                        // Guarded by mu_.
  std::map<std::string, std::map<std::string, uint64_t>, std::less<>> series_;  // Guarded by mu_.
};

}  // namespace tocsin
