#include "store/space_reserve.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace tocsin::store {
namespace {

// An open file of SQLite's default VFS, closed on destruction.
class VfsFile {
 public:
  static Result<std::unique_ptr<VfsFile>> Open(const std::string& path) {
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    if (vfs == nullptr) return Internal("no SQLite VFS");
    std::unique_ptr<VfsFile> f(new VfsFile(vfs));
    const int rc =
        vfs->xOpen(vfs, path.c_str(), f->file(),
                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_JOURNAL, nullptr);
    if (rc != SQLITE_OK) {
      f->file()->pMethods = nullptr;
      return Unavailable("cannot open " + path + ": " + sqlite3_errstr(rc));
    }
    return f;
  }

  VfsFile(const VfsFile&) = delete;
  VfsFile& operator=(const VfsFile&) = delete;
  ~VfsFile() {
    if (file()->pMethods != nullptr) file()->pMethods->xClose(file());
  }

  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(storage_.data()); }
  const sqlite3_io_methods& io() { return *file()->pMethods; }

 private:
  explicit VfsFile(sqlite3_vfs* vfs)
      : storage_((static_cast<size_t>(vfs->szOsFile) + sizeof(std::max_align_t) - 1) /
                 sizeof(std::max_align_t)) {
    file()->pMethods = nullptr;
  }

  std::vector<std::max_align_t> storage_;
};

Status Failed(const std::string& what, const std::string& path, int rc) {
  return Unavailable(what + " " + path + ": " + sqlite3_errstr(rc));
}

}  // namespace

SpaceReserve::SpaceReserve(std::string path, int64_t bytes)
    : path_(std::move(path)), bytes_(bytes) {}

Status SpaceReserve::WriteZerosTo(int64_t size) {
  auto f = VfsFile::Open(path_);
  if (!f.ok()) return f.status();
  sqlite3_int64 at = 0;
  if (int rc = (*f)->io().xFileSize((*f)->file(), &at); rc != SQLITE_OK) {
    return Failed("cannot size", path_, rc);
  }
  if (at > size) {
    if (int rc = (*f)->io().xTruncate((*f)->file(), size); rc != SQLITE_OK) {
      return Failed("cannot shrink", path_, rc);
    }
  }
  static const std::vector<char> kZeros(64 * 1024, 0);
  while (at < size) {
    const int n =
        static_cast<int>(std::min<int64_t>(size - at, static_cast<int64_t>(kZeros.size())));
    if (int rc = (*f)->io().xWrite((*f)->file(), kZeros.data(), n, at); rc != SQLITE_OK) {
      return Failed("cannot write", path_, rc);
    }
    at += n;
  }
  if (int rc = (*f)->io().xSync((*f)->file(), SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
    return Failed("cannot sync", path_, rc);
  }
  return Status::Ok();
}

Status SpaceReserve::Fill() { return WriteZerosTo(bytes_); }

void SpaceReserve::Release() {
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (vfs != nullptr) vfs->xDelete(vfs, path_.c_str(), 0);
}

Status SpaceReserve::Probe() {
  Status s = WriteZerosTo(2 * bytes_);
  if (s.ok()) s = WriteZerosTo(bytes_);
  if (!s.ok()) Release();
  return s;
}

}  // namespace tocsin::store
