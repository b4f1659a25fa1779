#include "tocsin/core/metrics.h"

namespace tocsin {
namespace {

// Label values escape backslash, quote and newline (the exposition format).
void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string Metrics::SeriesKey(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    if (!key.empty()) key += ',';
    key.append(name);
    key += "=\"";
    AppendEscaped(key, value);
    key += '"';
  }
  return key;
}

void Metrics::Describe(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  help_[std::string(name)] = std::string(help);
}

void Metrics::Add(std::string_view name, const Labels& labels, uint64_t n) {
  std::string key = SeriesKey(labels);
  std::lock_guard lock(mu_);
  auto it = series_.find(name);
  if (it == series_.end())
    it = series_.emplace(std::string(name), std::map<std::string, uint64_t>()).first;
  it->second[std::move(key)] += n;
}

uint64_t Metrics::Get(std::string_view name, const Labels& labels) const {
  const std::string key = SeriesKey(labels);
  std::lock_guard lock(mu_);
  auto it = series_.find(name);
  if (it == series_.end()) return 0;
  auto s = it->second.find(key);
  return s == it->second.end() ? 0 : s->second;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto emit_header = [&](const std::string& name) {
    auto h = help_.find(name);
    if (h != help_.end()) out += "# HELP " + name + " " + h->second + "\n";
    out += "# TYPE " + name + " counter\n";
  };
  for (const auto& [name, series] : series_) {
    emit_header(name);
    for (const auto& [labels, value] : series) {
      out += name;
      if (!labels.empty()) out += "{" + labels + "}";
      out += " " + std::to_string(value) + "\n";
    }
  }
  // Declared counters nobody has counted yet still show, at zero.
  for (const auto& [name, help] : help_) {
    if (series_.count(name) == 0) {
      emit_header(name);
      out += name + " 0\n";
    }
  }
  return out;
}

}  // namespace tocsin
