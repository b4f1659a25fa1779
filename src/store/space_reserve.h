// A file of preallocated bytes next to the database, released when the disk
// fills up so that the engine's writes (pages, escalations) have room while
// requests are refused, and taken back once space returns.
//
// The file is written through SQLite's default VFS, so it takes real blocks
// on the filesystem (zeros, not a sparse hole) and a fault-injecting VFS in
// tests sees it like the database. Thread-compatible: the store serialises
// calls.
#pragma once

#include <cstdint>
#include <string>

#include "tocsin/core/status.h"

namespace tocsin::store {

class SpaceReserve {
 public:
  // `path` is the reserve file; `bytes` > 0 its size.
  SpaceReserve(std::string path, int64_t bytes);

  // Creates the file, or grows it back to full size. kUnavailable if the disk
  // has no room for it (what is written up to then stays).
  Status Fill();

  // Deletes the file, freeing its bytes for the database.
  void Release();

  // Whether space has returned: tries to write twice the reserve (the reserve
  // itself plus as much room again for ordinary writes), keeps the reserve on
  // success and returns Ok; on failure deletes what it wrote, so that the
  // probe never eats into the room the engine is using, and returns
  // kUnavailable.
  Status Probe();

  int64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  Status WriteZerosTo(int64_t size);

  std::string path_;
  int64_t bytes_;
};

}  // namespace tocsin::store
