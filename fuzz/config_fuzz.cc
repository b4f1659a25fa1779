// Fuzz target: configuration loading (src/app/config.h LoadConfig): the YAML
// file (JSON files are YAML too, and parse the same way), and TOCSIN_*
// environment variables, through every key's setter.
//
// Input: byte 0 selects the source: even, the rest is the config file's text
// (LoadConfig only reads files, so it is written to a temporary file first);
// odd, the rest is NAME=VALUE lines given as the environment.
//
// Asserts, beyond memory safety (and no uncaught yaml-cpp exception):
//  - a refused configuration is kInvalidArgument naming the key (field set),
//    as config.h promises;
//  - loading is deterministic: the same input gives the same verdict and
//    error twice.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "fuzz_check.h"

namespace {

using tocsin::fuzz::Check;

std::string* g_config_path = nullptr;

void RemoveConfigFile() {
  if (g_config_path != nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(*g_config_path).parent_path(), ec);
  }
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/tocsin-config-fuzz-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  Check(mkdtemp(buf.data()) != nullptr, "create a temporary directory");
  g_config_path = new std::string(std::string(buf.data()) + "/tocsin.yaml");
  std::atexit(RemoveConfigFile);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest = tocsin::fuzz::AsText(data + 1, size - 1);
  tocsin::app::Flags flags;
  std::vector<std::string> environ_vars;
  if (data[0] % 2 == 0) {
    std::ofstream out(*g_config_path, std::ios::binary | std::ios::trunc);
    out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
    out.close();
    Check(out.good(), "write the config file");
    flags.config_file = *g_config_path;
  } else {
    environ_vars = Lines(rest);
  }

  auto config = tocsin::app::LoadConfig(flags, environ_vars);
  auto again = tocsin::app::LoadConfig(flags, environ_vars);
  Check(config.ok() == again.ok(), "loading is deterministic");
  if (!config.ok()) {
    const tocsin::Status& s = config.status();
    if (s.field().empty() || s.code() != tocsin::StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "LoadConfig: %s\n", s.ToString().c_str());
    }
    Check(s.code() == tocsin::StatusCode::kInvalidArgument, "refusals are kInvalidArgument");
    Check(!s.field().empty(), "refusals name the key");
    Check(s.ToString() == again.status().ToString(), "the same error twice");
  }
  return 0;
}
