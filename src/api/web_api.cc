// The responder dashboard (web/): "/" is index.html, every other file is at
// its path under web/. Files come from the copy embedded at build time
// (cmake/TocsinEmbed.cmake), or, with ApiConfig::web_dir (`--web-dir`), from
// that directory, re-read on every request so edits show on reload. The set
// of routes is fixed at start-up either way.
//
// Every answer carries a strict Content-Security-Policy (no inline script or
// style, same-origin connections only), nosniff and no framing; the content
// hash is the ETag, so browsers revalidate cheaply (Cache-Control: no-cache).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/internal.h"
#include "tocsin/core/embedded.h"
#include "tocsin/crypto/crypto.h"

namespace tocsin::web {
extern const tocsin::EmbeddedFile kEmbeddedFiles[];
}

namespace tocsin::api {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

std::string ContentTypeOf(std::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json" || ext == "webmanifest") return "application/json";
  if (ext == "woff2") return "font/woff2";
  return "text/plain; charset=utf-8";
}

std::string EtagOf(std::string_view body) {
  return "\"" + crypto::HexEncode(crypto::Sha256(body)).substr(0, 32) + "\"";
}

http::Response FileResponse(const http::Request& req, std::string_view path, std::string body,
                            const std::string& etag) {
  http::Response r;
  r.headers = {{"content-security-policy", kCsp}, {"x-content-type-options", "nosniff"},
               {"x-frame-options", "DENY"},       {"referrer-policy", "no-referrer"},
               {"cache-control", "no-cache"},     {"etag", etag}};
  if (req.HeaderValue("if-none-match") == etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = ContentTypeOf(path);
  r.body = std::move(body);
  return r;
}

// Files under `dir` (relative paths), skipping hidden files and directories.
std::vector<std::string> ListDir(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) {
      out.push_back(std::filesystem::relative(it->path(), dir).generic_string());
    }
  }
  return out;
}

// `read` returns the file and its ETag.
using ReadFile = std::function<Result<std::pair<std::string, std::string>>()>;

void AddFile(Api::Impl& api, const std::string& path, ReadFile read) {
  auto handler = [&api, path, read](Call& call) {
    auto file = read();
    if (!file.ok()) return api.Fail(call, file.status());
    api.Send(call, FileResponse(call.req, path, std::move(file->first), file->second));
  };
  api.routes.push_back({"GET", "/" + path, kPublic, handler});
  if (path == "index.html") api.routes.push_back({"GET", "/", kPublic, handler});
}

}  // namespace

void AddWebRoutes(Api::Impl& api) {
  if (!api.config.web_dir.empty()) {
    const std::filesystem::path dir = api.config.web_dir;
    for (const std::string& path : ListDir(dir)) {
      AddFile(api, path, [file = dir / path]() -> Result<std::pair<std::string, std::string>> {
        std::ifstream in(file, std::ios::binary);
        if (!in) return NotFound("cannot read " + file.string());
        std::ostringstream buffer;
        buffer << in.rdbuf();
        std::string body = buffer.str();
        std::string etag = EtagOf(body);
        return std::make_pair(std::move(body), std::move(etag));
      });
    }
    return;
  }
  for (const EmbeddedFile* f = web::kEmbeddedFiles; f->path != nullptr; ++f) {
    // Embedded files never change: hash each once.
    AddFile(
        api, f->path,
        [data = f->data, etag = EtagOf(f->data)]() -> Result<std::pair<std::string, std::string>> {
          return std::make_pair(std::string(data), etag);
        });
  }
}

}  // namespace tocsin::api
