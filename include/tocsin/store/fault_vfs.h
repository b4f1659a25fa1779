// A fault-injecting SQLite VFS for disk-full and I/O-error tests of the real
// binary (test builds only, like crash points).
//
// InstallFaultVfs(control) registers a VFS that wraps SQLite's default one
// and makes itself the default, so every database, WAL and the space reserve
// (store/space_reserve.h) go through it. Until ArmFaultVfs() is called it
// only passes calls through; afterwards, before every write, truncate and
// sync it reads the control file (re-reading only when its size or mtime
// changed) and behaves as it says:
//   absent or empty  no fault;
//   "full"           a full disk: the bytes in files opened through the VFS
//                    may not grow beyond what they were when "full" was first
//                    seen; a write or truncate that would grow them fails with
//                    SQLITE_FULL, as the unix VFS reports ENOSPC. Overwrites
//                    in place and deleting files (which frees room) still work,
//                    as on ext4, xfs or tmpfs;
//   "eio"            a failing disk: every write, truncate and sync fails
//                    (SQLITE_IOERR_WRITE / _TRUNCATE / _FSYNC); reads work;
//   "powercut SEED"  the power goes out at the next write or sync: with
//                    `buffer_until_sync`, a random half (chosen by SEED) of
//                    the writes not yet synced reach the disk, the others are
//                    lost, and the process exits at once with status 137.
// Removing the file (or emptying it) ends the fault, as freeing space or
// replacing the disk would.
//
// With `buffer_until_sync` (power-loss tests) every write waits in memory
// until its file is synced, as in an OS page cache: reads and file sizes see
// it, the disk does not, so only a sync makes a write survive a power cut.
//
// `tocsin serve` installs it when TOCSIN_TEST_DISK_FAULT names a control file
// (buffering writes when TOCSIN_TEST_POWER_LOSS=1) and arms it when it starts
// serving. Thread-safe.
#pragma once

#include <string>

#include "tocsin/core/status.h"

namespace tocsin::store {

#ifdef TOCSIN_TEST_HOOKS
// REQUIRES: called once, before any database is opened.
Status InstallFaultVfs(const std::string& control_path, bool buffer_until_sync = false);
void ArmFaultVfs();
#endif

}  // namespace tocsin::store
