// Storage failures: a commit that cannot be written must fail every function of
// its batch with kUnavailable, mark the store unhealthy, and leave it able to
// write again once the condition clears.
//
// The failure is made with RLIMIT_FSIZE (SIGXFSZ ignored): writes past the
// limit fail with EFBIG, which SQLite reports as SQLITE_IOERR_WRITE; a full
// disk (SQLITE_FULL) takes the same path through the store. Directory
// permissions cannot be used: the files are already open, and the tests may
// run as root.
#include <signal.h>

#include <string>

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "tocsin/store/store.h"
#include "unit/store/store_test_util.h"

#include <sys/resource.h>

namespace tocsin::store {
namespace {

using testing_util::Recorder;
using testing_util::TempDir;
using testing_util::WriterGate;

// Limits the size of files this process may write while in scope.
class ScopedFileSizeLimit {
 public:
  explicit ScopedFileSizeLimit(rlim_t bytes) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    EXPECT_EQ(sigaction(SIGXFSZ, &ignore, &saved_action_), 0);
    EXPECT_EQ(getrlimit(RLIMIT_FSIZE, &saved_limit_), 0);
    rlimit limit = saved_limit_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  ScopedFileSizeLimit(const ScopedFileSizeLimit&) = delete;
  ScopedFileSizeLimit& operator=(const ScopedFileSizeLimit&) = delete;
  ~ScopedFileSizeLimit() {
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &saved_limit_), 0);
    sigaction(SIGXFSZ, &saved_action_, nullptr);
  }

 private:
  rlimit saved_limit_{};
  struct sigaction saved_action_ {};
};

class StoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = dir_.File("tocsin.db");
    auto store = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  Result<std::string> GetMeta(const std::string& key) {
    return testing_util::GetMeta(*store_, key);
  }

  test::FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// 1 MiB of data: more than the file size limit below, less than SQLite's page
// cache, so nothing is written before COMMIT.
const std::string kBigValue(1 << 20, 'x');
// Above what a fresh, migrated database takes (WAL included), below kBigValue.
constexpr rlim_t kLimit = 768 * 1024;

TEST_F(StoreFaultTest, FailedCommitFailsTheWholeBatchAndTheStoreRecovers) {
  Recorder recorder;
  {
    ScopedFileSizeLimit limit(kLimit);
    WriterGate gate;
    gate.Hold(*store_);
    store_->Submit(
        [&recorder](WriteTxn& txn) {
          txn.OnCommit(recorder.Hook("small"));
          return txn.PutMeta("small", "v");
        },
        recorder.Done("small"), WritePriority::kEngine);
    store_->Submit([](WriteTxn& txn) { return txn.PutMeta("big", kBigValue); },
                   recorder.Done("big"), WritePriority::kEngine);
    store_->Submit([](WriteTxn&) { return InvalidArgument("own error"); }, recorder.Done("failing"),
                   WritePriority::kEngine);
    gate.Release();
    ASSERT_TRUE(recorder.WaitForDone(3));
    const StoreHealth health = store_->Health();
    EXPECT_FALSE(health.writable);
    EXPECT_NE(health.last_error, "");
  }
  for (const char* name : {"small", "big", "failing"}) {
    EXPECT_EQ(recorder.StatusOf(name).code(), StatusCode::kUnavailable)
        << name << ": " << recorder.StatusOf(name).ToString();
  }
  // Nothing of the batch committed, so no hook ran.
  EXPECT_EQ(recorder.events(),
            (std::vector<std::string>{"done:small", "done:big", "done:failing"}));
  EXPECT_EQ(GetMeta("small").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetMeta("big").status().code(), StatusCode::kNotFound);

  // The condition has cleared: the next write succeeds and health recovers.
  EXPECT_TRUE(store_->WriteSync([](WriteTxn& txn) { return txn.PutMeta("big", kBigValue); }).ok());
  EXPECT_TRUE(store_->Health().writable);
  EXPECT_EQ(store_->Health().last_error, "");
  auto big = GetMeta("big");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->size(), kBigValue.size());
}

TEST_F(StoreFaultTest, SmallWritesStillCommitUnderTheLimit) {
  // Guards the test above against passing for the wrong reason: with the
  // same limit, a batch that fits commits normally.
  ScopedFileSizeLimit limit(kLimit);
  EXPECT_TRUE(store_->WriteSync([](WriteTxn& txn) { return txn.PutMeta("small", "v"); }).ok());
  EXPECT_TRUE(store_->Health().writable);
}

TEST_F(StoreFaultTest, BackupFailingMidwayIsUnavailable) {
  ASSERT_TRUE(store_->WriteSync([](WriteTxn& txn) { return txn.PutMeta("big", kBigValue); }).ok());
  Status s;
  {
    ScopedFileSizeLimit limit(kLimit);
    s = store_->Backup(dir_.File("backup.db"));
  }
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  // No half-written copy is left behind to be mistaken for a backup, and a
  // retry can use the same path.
  EXPECT_FALSE(std::filesystem::exists(dir_.File("backup.db")));
  EXPECT_TRUE(store_->Backup(dir_.File("backup.db")).ok());
}

}  // namespace
}  // namespace tocsin::store
