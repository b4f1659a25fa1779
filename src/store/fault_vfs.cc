#include "tocsin/store/fault_vfs.h"

#ifdef TOCSIN_TEST_HOOKS

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include <spdlog/spdlog.h>

#include "store/sqlite.h"

#include <sys/stat.h>

namespace tocsin::store {
namespace {

enum class Fault { kNone, kFull, kEio, kPowerCut };

// What the VFS knows about the disk: the size of every file opened through
// it (kept after close, dropped on delete) and the fault in force.
struct DiskState {
  std::mutex mu;
  std::string control_path;
  bool armed = false;
  Fault fault = Fault::kNone;
  struct timespec control_mtime {};
  off_t control_size = -1;  // -1: the control file was absent at the last look.
  std::map<std::string, sqlite3_int64> sizes;
  sqlite3_int64 total = 0;
  sqlite3_int64 capacity = 0;  // Meaningful while fault == kFull.
  unsigned seed = 0;           // Of kPowerCut: which unsynced writes survive.

  // Power-loss mode: writes wait here, per file and in order, until their
  // file is synced; reads and sizes see them, the disk does not.
  bool buffer = false;
  struct PendingWrite {
    sqlite3_int64 offset;
    std::string bytes;
  };
  std::map<std::string, std::vector<PendingWrite>> pending;

  // REQUIRES: mu held.
  void RefreshFault() {
    if (!armed) return;
    struct stat st {};
    if (::stat(control_path.c_str(), &st) != 0) {
      control_size = -1;
      fault = Fault::kNone;
      return;
    }
    if (st.st_size == control_size && st.st_mtim.tv_sec == control_mtime.tv_sec &&
        st.st_mtim.tv_nsec == control_mtime.tv_nsec) {
      return;
    }
    control_size = st.st_size;
    control_mtime = st.st_mtim;
    std::ifstream in(control_path);
    std::string word;
    in >> word;
    const Fault before = fault;
    fault = word == "full"       ? Fault::kFull
            : word == "eio"      ? Fault::kEio
            : word == "powercut" ? Fault::kPowerCut
                                 : Fault::kNone;
    if (fault == Fault::kPowerCut && !(in >> seed)) seed = 0;
    if (!word.empty() && fault == Fault::kNone) {
      spdlog::warn("msg=\"fault vfs: unknown fault, ignored\" fault={}", word);
    }
    if (fault == Fault::kFull && before != Fault::kFull) capacity = total;
  }

  void Track(const std::string& path, sqlite3_int64 size) {
    auto [it, inserted] = sizes.emplace(path, size);
    if (inserted) {
      total += size;
    } else if (size != it->second) {
      total += size - it->second;
      it->second = size;
    }
  }

  // The power goes out: a random half of the writes not yet synced reach the
  // disk (in any order a disk might complete them), the rest are lost, and
  // the process ends at once. REQUIRES: mu held.
  [[noreturn]] void PowerCut() {
    std::mt19937 rng(seed);
    size_t kept = 0;
    size_t lost = 0;
    for (const auto& [path, writes] : pending) {
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      for (const PendingWrite& w : writes) {
        if (fd < 0 || rng() % 2 == 0) {
          ++lost;
          continue;
        }
        ++kept;
        (void)!::pwrite(fd, w.bytes.data(), w.bytes.size(), static_cast<off_t>(w.offset));
      }
      if (fd >= 0) ::close(fd);
    }
    std::fprintf(stderr, "tocsin: power cut (test): %zu unsynced writes kept, %zu lost\n", kept,
                 lost);
    ::_exit(137);
  }

  // Whether a file now `current` bytes long may become `wanted` bytes long.
  bool MayGrow(sqlite3_int64 current, sqlite3_int64 wanted) const {
    return fault != Fault::kFull || wanted <= current || total + (wanted - current) <= capacity;
  }
};

DiskState& Disk() {
  static DiskState* state = new DiskState();  // Never destroyed: SQLite may outlive statics.
  return *state;
}

sqlite3_vfs* real_vfs = nullptr;

struct FaultFile {
  sqlite3_file base;   // Must be first: SQLite sees a FaultFile as a sqlite3_file.
  sqlite3_file* real;  // The wrapped file, stored right after this struct.
  const char* path;    // Valid until xClose (SQLite's guarantee); null for temp files.
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }
const char* PathOf(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->path; }

sqlite3_int64 TrackedSize(DiskState& d, sqlite3_file* f) {
  const char* path = PathOf(f);
  if (path == nullptr) return 0;
  auto it = d.sizes.find(path);
  return it == d.sizes.end() ? 0 : it->second;
}

int Close(sqlite3_file* f) {
  sqlite3_file* real = Real(f);
  return real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
}

// The end of the last byte `path` has in `d`'s pending writes (0 if none).
sqlite3_int64 PendingEnd(const DiskState& d, const char* path) {
  sqlite3_int64 end = 0;
  if (path == nullptr) return end;
  auto it = d.pending.find(path);
  if (it == d.pending.end()) return end;
  for (const auto& w : it->second) {
    end = std::max(end, w.offset + static_cast<sqlite3_int64>(w.bytes.size()));
  }
  return end;
}

// Writes the pending writes of `f`'s file to the disk, in order (not synced).
int Flush(DiskState& d, sqlite3_file* f) {
  const char* path = PathOf(f);
  if (path == nullptr) return SQLITE_OK;
  auto it = d.pending.find(path);
  if (it == d.pending.end()) return SQLITE_OK;
  for (const auto& w : it->second) {
    const int rc = Real(f)->pMethods->xWrite(Real(f), w.bytes.data(),
                                             static_cast<int>(w.bytes.size()), w.offset);
    if (rc != SQLITE_OK) return rc;
  }
  d.pending.erase(it);
  return SQLITE_OK;
}

int Read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  int rc = Real(f)->pMethods->xRead(Real(f), buf, amount, offset);
  const char* path = PathOf(f);
  if (!d.buffer || path == nullptr || (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)) {
    return rc;
  }
  auto it = d.pending.find(path);
  if (it == d.pending.end()) return rc;
  // Later writes win: apply the pending ones over what the disk has.
  const sqlite3_int64 end = offset + amount;
  for (const auto& w : it->second) {
    const sqlite3_int64 w_end = w.offset + static_cast<sqlite3_int64>(w.bytes.size());
    const sqlite3_int64 from = std::max(offset, w.offset);
    const sqlite3_int64 to = std::min(end, w_end);
    if (from >= to) continue;
    std::memcpy(static_cast<char*>(buf) + (from - offset), w.bytes.data() + (from - w.offset),
                static_cast<size_t>(to - from));
  }
  if (rc == SQLITE_IOERR_SHORT_READ && end <= PendingEnd(d, path)) {
    // Every byte past the disk's end comes from pending writes; a gap
    // between them reads as zeros, as a file's hole does.
    rc = SQLITE_OK;
  }
  return rc;
}

int Write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  d.RefreshFault();
  if (d.fault == Fault::kEio) return SQLITE_IOERR_WRITE;
  const sqlite3_int64 current = TrackedSize(d, f);
  const sqlite3_int64 end = offset + amount;
  if (!d.MayGrow(current, end)) return SQLITE_FULL;
  if (d.fault == Fault::kPowerCut) d.PowerCut();
  int rc = SQLITE_OK;
  if (d.buffer && PathOf(f) != nullptr) {
    d.pending[PathOf(f)].push_back(
        {offset, std::string(static_cast<const char*>(buf), static_cast<size_t>(amount))});
  } else {
    rc = Real(f)->pMethods->xWrite(Real(f), buf, amount, offset);
  }
  if (rc == SQLITE_OK && PathOf(f) != nullptr && end > current) d.Track(PathOf(f), end);
  return rc;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  d.RefreshFault();
  if (d.fault == Fault::kEio) return SQLITE_IOERR_TRUNCATE;
  if (!d.MayGrow(TrackedSize(d, f), size)) return SQLITE_FULL;
  // A truncate (of the WAL after a checkpoint, which synced it) takes the
  // file's pending writes to the disk first: simpler than trimming them, and
  // it can only make a power cut lose less.
  if (int rc = Flush(d, f); rc != SQLITE_OK) return rc;
  const int rc = Real(f)->pMethods->xTruncate(Real(f), size);
  if (rc == SQLITE_OK && PathOf(f) != nullptr) d.Track(PathOf(f), size);
  return rc;
}

int Sync(sqlite3_file* f, int flags) {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  d.RefreshFault();
  if (d.fault == Fault::kEio) return SQLITE_IOERR_FSYNC;
  if (d.fault == Fault::kPowerCut) d.PowerCut();
  if (int rc = Flush(d, f); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  const int rc = Real(f)->pMethods->xFileSize(Real(f), size);
  if (rc == SQLITE_OK) *size = std::max(*size, PendingEnd(d, PathOf(f)));
  return rc;
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, page_size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
// Memory-mapped I/O is off (mmap_size 0), so pages are never fetched this way;
// refusing keeps every write going through Write above.
int Fetch(sqlite3_file* /*f*/, sqlite3_int64 /*offset*/, int /*amount*/, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int Unfetch(sqlite3_file* /*f*/, sqlite3_int64 /*offset*/, void* /*page*/) { return SQLITE_OK; }

const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(FaultFile));
  ff->path = name;
  f->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->pMethods = &kMethods;
  if (name != nullptr) {
    sqlite3_int64 size = 0;
    if (ff->real->pMethods->xFileSize(ff->real, &size) == SQLITE_OK) {
      DiskState& d = Disk();
      std::lock_guard<std::mutex> lock(d.mu);
      d.Track(name, size);
    }
  }
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* /*vfs*/, const char* name, int sync_dir) {
  const int rc = real_vfs->xDelete(real_vfs, name, sync_dir);
  if (rc == SQLITE_OK || rc == SQLITE_IOERR_DELETE_NOENT) {
    DiskState& d = Disk();
    std::lock_guard<std::mutex> lock(d.mu);
    if (auto it = d.sizes.find(name); it != d.sizes.end()) {
      d.total -= it->second;
      d.sizes.erase(it);
    }
    d.pending.erase(name);
  }
  return rc;
}

// The remaining VFS methods have nothing to inject; they go straight through.
int Access(sqlite3_vfs* /*vfs*/, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs* /*vfs*/, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* DlOpen(sqlite3_vfs* /*vfs*/, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void DlError(sqlite3_vfs* /*vfs*/, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*DlSym(sqlite3_vfs* /*vfs*/, void* handle, const char* symbol))() {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}
void DlClose(sqlite3_vfs* /*vfs*/, void* handle) { real_vfs->xDlClose(real_vfs, handle); }
int Randomness(sqlite3_vfs* /*vfs*/, int n, char* out) {
  return real_vfs->xRandomness(real_vfs, n, out);
}
int Sleep(sqlite3_vfs* /*vfs*/, int micros) { return real_vfs->xSleep(real_vfs, micros); }
int CurrentTime(sqlite3_vfs* /*vfs*/, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int GetLastError(sqlite3_vfs* /*vfs*/, int n, char* out) {
  return real_vfs->xGetLastError(real_vfs, n, out);
}
int CurrentTimeInt64(sqlite3_vfs* /*vfs*/, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

}  // namespace

Status InstallFaultVfs(const std::string& control_path, bool buffer_until_sync) {
  if (real_vfs != nullptr) return FailedPrecondition("the fault VFS is already installed");
  ConfigureSqlite();
  if (sqlite3_initialize() != SQLITE_OK) return Internal("sqlite3_initialize failed");
  real_vfs = sqlite3_vfs_find(nullptr);
  if (real_vfs == nullptr || real_vfs->iVersion < 2) return Internal("no usable default VFS");
  Disk().control_path = control_path;
  Disk().buffer = buffer_until_sync;
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  static_assert(sizeof(FaultFile) % 8 == 0,
                "the wrapped file, stored right after FaultFile, must stay aligned");
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  vfs.zName = "tocsin-fault";
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&vfs, /*makeDflt=*/1) != SQLITE_OK) {
    return Internal("cannot register the fault VFS");
  }
  spdlog::warn("msg=\"fault injection VFS installed (test build)\" control={}", control_path);
  return Status::Ok();
}

void ArmFaultVfs() {
  DiskState& d = Disk();
  std::lock_guard<std::mutex> lock(d.mu);
  d.armed = true;
}

}  // namespace tocsin::store

#endif  // TOCSIN_TEST_HOOKS
