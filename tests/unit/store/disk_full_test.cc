// A full disk and a failing disk, made by the fault-injecting VFS
// (tocsin/store/fault_vfs.h): when the disk fills up the store hands its
// space reserve to the engine, refuses requests, and takes the reserve back
// by itself once space returns; a failing disk fails writes, not reads.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "support/wait_for.h"
#include "tocsin/store/fault_vfs.h"
#include "tocsin/store/store.h"
#include "unit/store/store_test_util.h"

namespace tocsin::store {
namespace {

using testing_util::TempDir;

constexpr int64_t kReserve = 256 * 1024;
const std::string kValue(100 * 1024, 'v');  // Needs ~26 new pages in the WAL.

// The VFS is installed once per process; every test of this file runs as its
// own process under ctest, but may share one when the binary runs directly.
const std::string& ControlFile() {
  static const std::string path = [] {
    std::string p = (std::filesystem::temp_directory_path() /
                     ("tocsin-disk-fault-" + std::to_string(::getpid())))
                        .string();
    EXPECT_TRUE(InstallFaultVfs(p).ok());
    ArmFaultVfs();
    return p;
  }();
  return path;
}

class DiskFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::remove(ControlFile());
    Open();
  }

  void Open() {
    StoreOptions options;
    options.path = dir_.File("tocsin.db");
    options.reserve_bytes = kReserve;
    auto store = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    std::filesystem::remove(ControlFile());
    if (store_) store_->Shutdown();
  }

  static void SetFault(const std::string& fault) { std::ofstream(ControlFile()) << fault << "\n"; }

  Status Put(const std::string& key, const std::string& value, WritePriority priority) {
    std::promise<Status> done;
    store_->Submit([key, value](WriteTxn& txn) { return txn.PutMeta(key, value); },
                   [&done](Status s) { done.set_value(std::move(s)); }, priority);
    return done.get_future().get();
  }

  Result<std::string> Get(const std::string& key) { return testing_util::GetMeta(*store_, key); }

  std::string reserve_path() const { return dir_.File("tocsin.db-reserve"); }

  test::FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(DiskFaultTest, FullDiskRefusesRequestsWhileTheEngineWritesUntilSpaceReturns) {
  ASSERT_EQ(std::filesystem::file_size(reserve_path()), static_cast<uintmax_t>(kReserve));
  ASSERT_TRUE(Put("before", "1", WritePriority::kRequest).ok());

  SetFault("full");
  // The first write to need room finds the disk full; the store gives the
  // reserve's room to the engine.
  Status first = Put("engine-1", kValue, WritePriority::kEngine);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  EXPECT_TRUE(store_->Health().disk_full);
  EXPECT_FALSE(std::filesystem::exists(reserve_path()));

  // The engine's next writes commit; a request is refused without a try.
  EXPECT_TRUE(Put("engine-1", kValue, WritePriority::kEngine).ok());
  Status request = Put("request", "x", WritePriority::kRequest);
  EXPECT_EQ(request.code(), StatusCode::kUnavailable);
  EXPECT_NE(request.message().find("disk is full"), std::string::npos) << request.message();
  EXPECT_EQ(Get("request").status().code(), StatusCode::kNotFound);
  // Reads go on.
  EXPECT_EQ(*Get("before"), "1");

  // The room is the reserve and no more: the engine runs out of it too.
  int committed = 1;
  Status s;
  while (
      committed < 20 &&
      (s = Put("engine-" + std::to_string(committed + 1), kValue, WritePriority::kEngine)).ok()) {
    ++committed;
  }
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << "committed " << committed;
  EXPECT_LT(committed, 20);

  // Space returns: within the probe interval the reserve is back and
  // requests are accepted again.
  std::filesystem::remove(ControlFile());
  EXPECT_TRUE(test::WaitFor([&] { return !store_->Health().disk_full; }, std::chrono::seconds(10)));
  EXPECT_EQ(std::filesystem::file_size(reserve_path()), static_cast<uintmax_t>(kReserve));
  EXPECT_TRUE(Put("request", "x", WritePriority::kRequest).ok());
  EXPECT_TRUE(store_->Health().writable);
}

TEST_F(DiskFaultTest, FailingDiskFailsWritesNotReadsAndRecovers) {
  ASSERT_TRUE(Put("before", "1", WritePriority::kRequest).ok());
  SetFault("eio");
  for (WritePriority p : {WritePriority::kRequest, WritePriority::kEngine}) {
    Status s = Put("during", kValue, p);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  }
  EXPECT_FALSE(store_->Health().writable);
  EXPECT_FALSE(store_->Health().disk_full);  // An I/O error is not a full disk.
  EXPECT_EQ(*Get("before"), "1");
  EXPECT_EQ(Get("during").status().code(), StatusCode::kNotFound);

  std::filesystem::remove(ControlFile());
  EXPECT_TRUE(Put("after", "2", WritePriority::kRequest).ok());
  EXPECT_TRUE(store_->Health().writable);
  EXPECT_EQ(*Get("after"), "2");
}

TEST_F(DiskFaultTest, StartsOnAFullDiskAndRecovers) {
  store_->Shutdown();
  store_.reset();
  std::filesystem::remove(reserve_path());
  SetFault("full");
  Open();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(store_->Health().disk_full);
  EXPECT_EQ(Put("request", "x", WritePriority::kRequest).code(), StatusCode::kUnavailable);
  std::filesystem::remove(ControlFile());
  EXPECT_TRUE(test::WaitFor([&] { return !store_->Health().disk_full; }, std::chrono::seconds(10)));
  EXPECT_TRUE(Put("request", "x", WritePriority::kRequest).ok());
}

}  // namespace
}  // namespace tocsin::store
