#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "store/migrator.h"
#include "store/resource_table.h"
#include "store/sqlite.h"
#include "tocsin/store/store.h"
#include "unit/store/store_test_util.h"

namespace tocsin::store {
namespace {

using testing_util::kT0;
using testing_util::MakeChannel;
using testing_util::MakeContact;
using testing_util::MakeOverride;
using testing_util::MakeRotation;
using testing_util::RawDb;
using testing_util::Recorder;
using testing_util::TempDir;
using testing_util::WriterGate;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  StoreOptions Options() const {
    StoreOptions options;
    options.path = db_path_;
    return options;
  }

  void Open() {
    auto store = OpenSqliteStore(Options(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Close() {
    store_->Shutdown();
    store_.reset();
  }

  Status Write(Store::WriteFn fn) { return store_->WriteSync(std::move(fn)); }
  std::string ManyPagesThenClose();

  // Runs `f` in a read transaction and returns what it returns.
  template <typename F>
  auto ReadOne(F f) -> decltype(f(std::declval<ReadTxn&>())) {
    using R = decltype(f(std::declval<ReadTxn&>()));
    std::optional<R> out;
    Status s = store_->Read([&](ReadTxn& txn) {
      out.emplace(f(txn));
      return Status::Ok();
    });
    if (!s.ok()) return R(s);
    return std::move(*out);
  }

  Status PutMeta(const std::string& key, const std::string& value) {
    return Write([=](WriteTxn& txn) { return txn.PutMeta(key, value); });
  }
  Result<std::string> GetMeta(const std::string& key) {
    return ReadOne([&](ReadTxn& txn) { return txn.GetMeta(key); });
  }

  // Submits a write function that stores meta `key`, optionally failing
  // afterwards with `fail`.
  void SubmitMeta(const std::string& key, Recorder& recorder, Status fail = Status::Ok()) {
    store_->Submit(
        [key, fail](WriteTxn& txn) {
          TOCSIN_RETURN_IF_ERROR(txn.PutMeta(key, "v"));
          return fail;
        },
        recorder.Done(key), WritePriority::kEngine);
  }

  test::FakeClock clock_;
  TempDir dir_;
  std::string db_path_ = dir_.File("data/tocsin.db");
  std::unique_ptr<Store> store_;
};

// --- Opening and migrations ------------------------------------------------

TEST_F(SqliteStoreTest, OpenCreatesFileInNewDirectoryInWalModeAtLatestVersion) {
  EXPECT_TRUE(std::filesystem::exists(db_path_));
  RawDb raw(db_path_);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(raw.QueryText("SELECT name FROM sqlite_master WHERE name = 'resources'"), "resources");
  EXPECT_TRUE(store_->Health().writable);
  EXPECT_EQ(store_->Health().last_error, "");
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndIsNoOp) {
  ASSERT_TRUE(PutMeta("k", "v").ok());
  Close();
  Open();
  ASSERT_TRUE(store_);
  auto value = GetMeta("k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "v");
  RawDb raw(db_path_);
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
}

TEST_F(SqliteStoreTest, RefusesDatabaseWrittenByNewerTocsin) {
  Close();
  {
    RawDb raw(db_path_);
    raw.Exec("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1));
  }
  auto store = OpenSqliteStore(Options(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find(std::to_string(LatestSchemaVersion() + 1)),
            std::string::npos)
      << store.status().message();
}

TEST_F(SqliteStoreTest, RefusesMemoryAndEmptyPaths) {
  StoreOptions options;
  options.path = ":memory:";
  auto memory = OpenSqliteStore(options, clock_);
  ASSERT_FALSE(memory.ok());
  EXPECT_EQ(memory.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(memory.status().field(), "store.path");
  options.path = "";
  EXPECT_EQ(OpenSqliteStore(options, clock_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, UncreatableDirectoryIsUnavailable) {
  const std::string file = dir_.File("plain-file");
  std::ofstream(file) << "x";
  StoreOptions options;
  options.path = file + "/sub/tocsin.db";
  auto store = OpenSqliteStore(options, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
}

// Fills the database with enough rows for the resources table to span many
// pages, none of them free, closes it and returns the file's bytes.
std::string SqliteStoreTest::ManyPagesThenClose() {
  for (int i = 0; i < 200; ++i) {
    Status s = Write([i](WriteTxn& txn) {
      return txn.Contacts().Insert(
          MakeContact("c" + std::to_string(i), "alias-" + std::to_string(i)), {});
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  Close();  // The last connection checkpoints the WAL into the main file and removes it.
  EXPECT_FALSE(std::filesystem::exists(db_path_ + "-wal"));
  std::ifstream in(db_path_, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(SqliteStoreTest, CorruptedFileIsRefusedCleanly) {
  const std::string pristine = ManyPagesThenClose();
  ASSERT_GT(pristine.size(), 16u * 4096u);
  // The header, the schema page, a page in the middle, the last page.
  for (size_t offset :
       {size_t{0}, size_t{4096}, pristine.size() / 2 / 4096 * 4096, pristine.size() - 4096}) {
    std::string damaged = pristine;
    damaged.replace(offset, 4096, std::string(4096, '\xA5'));  // A whole page.
    std::filesystem::remove(db_path_ + "-shm");
    std::ofstream(db_path_, std::ios::binary | std::ios::trunc) << damaged;
    auto store = OpenSqliteStore(Options(), clock_);
    ASSERT_FALSE(store.ok()) << "damage at " << offset;
    EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition)
        << "damage at " << offset << ": " << store.status().ToString();
    EXPECT_NE(store.status().message().find("restore a backup"), std::string::npos)
        << store.status().message();
  }
}

// Waits (bounded) for the background start-up check to give its verdict.
StoreHealth CheckedHealth(Store& store) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  StoreHealth health = store.Health();
  while (health.integrity_pending && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    health = store.Health();
  }
  return health;
}

TEST_F(SqliteStoreTest, BigDatabaseIsCheckedInTheBackgroundAndDamageIsReported) {
  const std::string pristine = ManyPagesThenClose();
  StoreOptions options = Options();
  options.blocking_check_max_bytes = 0;  // Every file counts as big.
  {
    auto clean = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(clean.ok()) << clean.status().ToString();
    const StoreHealth health = CheckedHealth(**clean);
    EXPECT_FALSE(health.integrity_pending);
    EXPECT_EQ(health.integrity_error, "");
    (*clean)->Shutdown();
  }
  int opened = 0;
  for (size_t offset : {pristine.size() / 2 / 4096 * 4096, pristine.size() - 4096}) {
    std::string damaged = pristine;
    damaged.replace(offset, 4096, std::string(4096, '\xA5'));
    std::filesystem::remove(db_path_ + "-wal");
    std::filesystem::remove(db_path_ + "-shm");
    std::ofstream(db_path_, std::ios::binary | std::ios::trunc) << damaged;
    auto store = OpenSqliteStore(options, clock_);
    // Opening reads the schema and the ledger head; damage there still
    // refuses the file. Damage elsewhere must be found by the check.
    if (!store.ok()) continue;
    ++opened;
    const StoreHealth health = CheckedHealth(**store);
    EXPECT_FALSE(health.integrity_pending);
    EXPECT_NE(health.integrity_error.find("failed PRAGMA quick_check"), std::string::npos)
        << offset << ": " << health.integrity_error;
    (*store)->Shutdown();
  }
  EXPECT_GT(opened, 0) << "no damaged file opened: the background check went untested";
}

TEST_F(SqliteStoreTest, ShutdownInterruptsTheBackgroundCheck) {
  ManyPagesThenClose();
  StoreOptions options = Options();
  options.blocking_check_max_bytes = 0;
  auto store = OpenSqliteStore(options, clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  (*store)->Shutdown();  // Must return whether or not the check has finished.
  EXPECT_EQ((*store)->Health().integrity_error, "");
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsRefusedCleanly) {
  Close();
  std::filesystem::remove(db_path_);
  std::filesystem::remove(db_path_ + "-wal");
  std::filesystem::remove(db_path_ + "-shm");
  std::ofstream(db_path_, std::ios::binary) << std::string(8192, 'x');
  auto store = OpenSqliteStore(Options(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << store.status().ToString();
}

TEST(MigratorTest, EmbeddedMigrationsAreNumberedOneToNWithoutGaps) {
  const auto migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1) << migrations[i].name;
    EXPECT_FALSE(migrations[i].sql.empty()) << migrations[i].name;
    EXPECT_TRUE(migrations[i].name.ends_with(".sql")) << migrations[i].name;
  }
  EXPECT_EQ(LatestSchemaVersion(), static_cast<int>(migrations.size()));
}

TEST(MigratorTest, MigrateAppliesOnceThenIsNoOp) {
  TempDir dir;
  auto db = Db::Open(dir.File("m.db"), Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(Migrate(**db).ok());
  auto version = (*db)->QueryInt("PRAGMA user_version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, LatestSchemaVersion());
  // A second run would fail on CREATE TABLE if it re-applied anything.
  ASSERT_TRUE(Migrate(**db).ok());
}

// --- Group commit ------------------------------------------------------------

TEST_F(SqliteStoreTest, ConcurrentSubmitsEachGetDoneExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::atomic<int>> calls(kTotal);
  std::atomic<int> ok_count{0};
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;  // Guarded by mu.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        store_->Submit([n](WriteTxn& txn) { return txn.PutMeta("job" + std::to_string(n), "x"); },
                       [&, n](Status s) {
                         calls[static_cast<size_t>(n)].fetch_add(1);
                         if (s.ok()) ok_count.fetch_add(1);
                         std::lock_guard<std::mutex> lock(mu);
                         ++finished;
                         cv.notify_all();
                       },
                       WritePriority::kEngine);
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return finished == kTotal; }));
  }
  store_->Shutdown();  // Nothing may call `done` again after this.
  EXPECT_EQ(ok_count.load(), kTotal);
  for (int n = 0; n < kTotal; ++n) EXPECT_EQ(calls[static_cast<size_t>(n)].load(), 1) << n;
  Open();
  for (int n = 0; n < kTotal; n += 37) EXPECT_TRUE(GetMeta("job" + std::to_string(n)).ok()) << n;
}

TEST_F(SqliteStoreTest, FailingFunctionRollsBackAloneInItsBatch) {
  Recorder recorder;
  WriterGate gate;
  gate.Hold(*store_);
  SubmitMeta("a", recorder);
  SubmitMeta("b", recorder, InvalidArgument("bad b", "b"));
  SubmitMeta("c", recorder);
  gate.Release();
  ASSERT_TRUE(recorder.WaitForDone(3));
  EXPECT_TRUE(recorder.StatusOf("a").ok());
  EXPECT_EQ(recorder.StatusOf("b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(recorder.StatusOf("b").field(), "b");
  EXPECT_TRUE(recorder.StatusOf("c").ok());
  EXPECT_TRUE(GetMeta("a").ok());
  EXPECT_EQ(GetMeta("b").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(GetMeta("c").ok());
}

TEST_F(SqliteStoreTest, GatedFunctionsShareOneBatchAndOneNow) {
  // The first function moves the clock; the others still see the batch's time.
  WriterGate gate;
  gate.Hold(*store_);
  Recorder recorder;
  std::vector<TimePoint> seen(3);
  for (size_t i = 0; i < 3; ++i) {
    store_->Submit(
        [this, i, &seen](WriteTxn& txn) {
          seen[i] = txn.Now();
          if (i == 0) clock_.Advance(std::chrono::minutes(5));
          return Status::Ok();
        },
        recorder.Done(std::to_string(i)), WritePriority::kEngine);
  }
  gate.Release();
  ASSERT_TRUE(recorder.WaitForDone(3));
  EXPECT_EQ(seen[0], kT0);
  EXPECT_EQ(seen[1], kT0);
  EXPECT_EQ(seen[2], kT0);
  // A later batch reads the clock again.
  TimePoint later{};
  ASSERT_TRUE(Write([&](WriteTxn& txn) {
                later = txn.Now();
                return Status::Ok();
              }).ok());
  EXPECT_EQ(later, kT0 + std::chrono::minutes(5));
}

TEST_F(SqliteStoreTest, NowIsTheClockTime) {
  clock_.Set(FromUnixMillis(1'800'000'000'123));
  TimePoint now{};
  ASSERT_TRUE(Write([&](WriteTxn& txn) {
                now = txn.Now();
                return Status::Ok();
              }).ok());
  EXPECT_EQ(now, FromUnixMillis(1'800'000'000'123));
}

TEST_F(SqliteStoreTest, KeepChangesOnErrorCommitsButReportsTheError) {
  Recorder recorder;
  store_->Submit(
      [&recorder](WriteTxn& txn) {
        TOCSIN_RETURN_IF_ERROR(txn.PutMeta("attempts", "1"));
        txn.KeepChangesOnError();
        txn.OnCommit(recorder.Hook("kept"));
        return InvalidArgument("wrong code", "code");
      },
      recorder.Done("kept"), WritePriority::kEngine);
  ASSERT_TRUE(recorder.WaitForDone(1));
  EXPECT_EQ(recorder.StatusOf("kept").code(), StatusCode::kInvalidArgument);
  auto value = GetMeta("attempts");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "1");
  // Its changes committed, so its hook ran (before done).
  EXPECT_EQ(recorder.events(), (std::vector<std::string>{"hook:kept", "done:kept"}));
}

TEST_F(SqliteStoreTest, KeepChangesOnErrorDoesNotLeakIntoTheNextFunction) {
  Recorder recorder;
  WriterGate gate;
  gate.Hold(*store_);
  store_->Submit(
      [](WriteTxn& txn) {
        txn.KeepChangesOnError();
        return Status::Ok();
      },
      recorder.Done("first"), WritePriority::kEngine);
  SubmitMeta("second", recorder, InvalidArgument("no"));
  gate.Release();
  ASSERT_TRUE(recorder.WaitForDone(2));
  EXPECT_EQ(GetMeta("second").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, OnCommitHooksRunOnlyForCommittedFunctionsAndBeforeDone) {
  Recorder recorder;
  WriterGate gate;
  gate.Hold(*store_);
  auto submit = [&](const std::string& name, Status result) {
    store_->Submit(
        [&recorder, name, result](WriteTxn& txn) {
          txn.OnCommit(recorder.Hook(name));
          TOCSIN_RETURN_IF_ERROR(txn.PutMeta(name, "v"));
          return result;
        },
        recorder.Done(name), WritePriority::kEngine);
  };
  submit("a", Status::Ok());
  submit("b", Aborted("b lost a race"));
  submit("c", Status::Ok());
  gate.Release();
  ASSERT_TRUE(recorder.WaitForDone(3));
  EXPECT_EQ(recorder.events(),
            (std::vector<std::string>{"hook:a", "done:a", "done:b", "hook:c", "done:c"}));
  EXPECT_EQ(recorder.StatusOf("b").code(), StatusCode::kAborted);
}

TEST_F(SqliteStoreTest, ThrowingFunctionIsRolledBackAsInternal) {
  Recorder recorder;
  store_->Submit(
      [](WriteTxn& txn) -> Status {
        txn.PutMeta("thrown", "v").IgnoreError();
        throw std::runtime_error("boom");
      },
      recorder.Done("thrown"), WritePriority::kEngine);
  ASSERT_TRUE(recorder.WaitForDone(1));
  EXPECT_EQ(recorder.StatusOf("thrown").code(), StatusCode::kInternal);
  EXPECT_NE(recorder.StatusOf("thrown").message().find("boom"), std::string::npos);
  EXPECT_EQ(GetMeta("thrown").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(PutMeta("after", "v").ok());
}

TEST_F(SqliteStoreTest, ShutdownDrainsQueuedWritesThenRefusesNewOnes) {
  Recorder recorder;
  WriterGate gate;
  gate.Hold(*store_);
  SubmitMeta("queued1", recorder);
  SubmitMeta("queued2", recorder);
  std::thread stopper([&] { store_->Shutdown(); });
  gate.Release();
  stopper.join();
  ASSERT_TRUE(recorder.WaitForDone(2));
  EXPECT_TRUE(recorder.StatusOf("queued1").ok());
  EXPECT_TRUE(recorder.StatusOf("queued2").ok());

  SubmitMeta("late", recorder);  // `done` runs at once, on this thread.
  EXPECT_EQ(recorder.DoneCount("late"), 1u);
  EXPECT_EQ(recorder.StatusOf("late").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->WriteSync([](WriteTxn&) { return Status::Ok(); }).code(),
            StatusCode::kUnavailable);
  store_->Shutdown();  // Idempotent.

  Open();
  EXPECT_TRUE(GetMeta("queued1").ok());
  EXPECT_TRUE(GetMeta("queued2").ok());
  EXPECT_EQ(GetMeta("late").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ConcurrentShutdownsAreSafe) {
  Recorder recorder;
  SubmitMeta("k", recorder);
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 4; ++i) stoppers.emplace_back([this] { store_->Shutdown(); });
  for (auto& t : stoppers) t.join();
  ASSERT_TRUE(recorder.WaitForDone(1));
  EXPECT_TRUE(recorder.StatusOf("k").ok());
}

TEST_F(SqliteStoreTest, WriteSyncReturnsTheFunctionsStatus) {
  EXPECT_TRUE(Write([](WriteTxn& txn) { return txn.PutMeta("k", "v"); }).ok());
  EXPECT_EQ(Write([](WriteTxn&) { return NotFound("nope"); }).code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, SubmitForDeliversTheValueOrTheError) {
  std::promise<Result<int>> got_value;
  SubmitFor<int>(
      *store_,
      [](WriteTxn& txn) -> Result<int> {
        TOCSIN_RETURN_IF_ERROR(txn.PutMeta("k", "v"));
        return 42;
      },
      [&](Result<int> r) { got_value.set_value(std::move(r)); }, WritePriority::kEngine);
  auto value = got_value.get_future().get();
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);

  std::promise<Result<int>> got_error;
  SubmitFor<int>(
      *store_,
      [](WriteTxn& txn) -> Result<int> {
        txn.KeepChangesOnError();
        return FailedPrecondition("kept but failed");
      },
      [&](Result<int> r) { got_error.set_value(std::move(r)); }, WritePriority::kEngine);
  auto error = got_error.get_future().get();
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, ReadReturnsTheFunctionsStatus) {
  EXPECT_EQ(store_->Read([](ReadTxn&) { return Aborted("x"); }).code(), StatusCode::kAborted);
  EXPECT_EQ(store_->Read([](ReadTxn&) -> Status { throw std::runtime_error("r"); }).code(),
            StatusCode::kInternal);
}

TEST_F(SqliteStoreTest, ReadSeesOneSnapshotWhileTheWriterCommits) {
  ASSERT_TRUE(PutMeta("k", "before").ok());
  std::string first;
  std::string second;
  Status s = store_->Read([&](ReadTxn& txn) {
    auto v = txn.GetMeta("k");
    if (!v.ok()) return v.status();
    first = *v;
    // Commits on the writer thread while this read transaction is open.
    TOCSIN_RETURN_IF_ERROR(PutMeta("k", "after"));
    v = txn.GetMeta("k");
    if (!v.ok()) return v.status();
    second = *v;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(first, "before");
  EXPECT_EQ(second, "before");
  EXPECT_EQ(*GetMeta("k"), "after");
}

// --- Resources ---------------------------------------------------------------

TEST_F(SqliteStoreTest, InsertsAndGetsContactByIdAndAlias) {
  auto contact = MakeContact("c1", "alice");
  contact.stages = {{5, {{"ch1", 1, "", false}}}};
  ASSERT_TRUE(Write([&](WriteTxn& txn) { return txn.Contacts().Insert(contact, {}); }).ok());
  for (const char* key : {"c1", "alice"}) {
    auto got = ReadOne([&](ReadTxn& txn) { return txn.Contacts().Get(key); });
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(got->meta.id, "c1");
    EXPECT_EQ(got->meta.version, 1);
    EXPECT_EQ(got->meta.created_at, kT0);
    EXPECT_EQ(got->meta.created_by, "api-key/test");
    EXPECT_EQ(got->alias, "alice");
    EXPECT_EQ(got->display_name, "Display alice");
    EXPECT_EQ(got->type, domain::ContactType::kPersonal);
    EXPECT_EQ(got->stages, contact.stages);
    EXPECT_EQ(got->tags, contact.tags);
  }
  auto missing = ReadOne([](ReadTxn& txn) { return txn.Contacts().Get("bob"); });
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  // Another repository does not see it.
  auto wrong_kind = ReadOne([](ReadTxn& txn) { return txn.Rotations().Get("c1"); });
  EXPECT_EQ(wrong_kind.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, AliasIsUniqueAcrossContactKinds) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                return txn.Contacts().Insert(MakeContact("c1", "ops"), {});
              }).ok());
  Status s = Write([](WriteTxn& txn) {
    return txn.Contacts().Insert(MakeContact("c2", "ops", domain::ContactType::kEscalation), {});
  });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(s.field(), "alias");
  EXPECT_NE(s.message().find("ops"), std::string::npos);
  // Names of another namespace do not clash.
  EXPECT_TRUE(Write([](WriteTxn& txn) {
                return txn.Rotations().Insert(MakeRotation("r1", "ops", {"c1"}), {"c1"});
              }).ok());
  Status rotation_clash = Write([](WriteTxn& txn) {
    return txn.Rotations().Insert(MakeRotation("r2", "ops", {"c1"}), {"c1"});
  });
  EXPECT_EQ(rotation_clash.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(rotation_clash.field(), "name");
}

TEST_F(SqliteStoreTest, UpdateChecksTheVersion) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                return txn.Contacts().Insert(MakeContact("c1", "alice"), {});
              }).ok());
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                return txn.Contacts().Insert(MakeContact("c2", "bob"), {});
              }).ok());

  auto v2 = MakeContact("c1", "alice2");
  v2.meta.version = 2;
  v2.meta.updated_at = kT0 + std::chrono::hours(1);
  v2.meta.updated_by = "api-key/other";
  ASSERT_TRUE(Write([&](WriteTxn& txn) { return txn.Contacts().Update(v2, {}); }).ok());
  auto got = ReadOne([](ReadTxn& txn) { return txn.Contacts().Get("alice2"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->meta.version, 2);
  EXPECT_EQ(got->meta.created_at, kT0);
  EXPECT_EQ(got->meta.updated_at, kT0 + std::chrono::hours(1));
  EXPECT_EQ(got->meta.updated_by, "api-key/other");
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.Contacts().Get("alice"); }).status().code(),
            StatusCode::kNotFound);

  // Same version again: someone else got there first.
  Status stale = Write([&](WriteTxn& txn) { return txn.Contacts().Update(v2, {}); });
  EXPECT_EQ(stale.code(), StatusCode::kAborted) << stale.ToString();

  auto renamed = v2;
  renamed.meta.version = 3;
  renamed.alias = "bob";
  Status taken = Write([&](WriteTxn& txn) { return txn.Contacts().Update(renamed, {}); });
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.field(), "alias");

  auto gone = MakeContact("c9", "ghost");
  gone.meta.version = 2;
  EXPECT_EQ(Write([&](WriteTxn& txn) { return txn.Contacts().Update(gone, {}); }).code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, DeleteOfReferencedResourceNamesTheReferrers) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                auto plan = MakeContact("e1", "escalate", domain::ContactType::kEscalation);
                plan.stages = {{0, {{"", 0, "c1", true}}}};
                return txn.Contacts().Insert(plan, {"c1"});
              }).ok());
  Status s = Write([](WriteTxn& txn) { return txn.Contacts().Delete("alice"); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.blockers(), (std::vector<ResourceRef>{{"escalation-plan", "e1", "escalate"}}));
  EXPECT_NE(s.message().find("escalate"), std::string::npos) << s.message();
  auto referrers = ReadOne([](ReadTxn& txn) { return txn.ReferrersOf("c1"); });
  ASSERT_TRUE(referrers.ok());
  EXPECT_EQ(*referrers, s.blockers());
  EXPECT_TRUE(ReadOne([](ReadTxn& txn) { return txn.Contacts().Get("c1"); }).ok());

  // Once the referrer is gone the delete succeeds.
  ASSERT_TRUE(Write([](WriteTxn& txn) { return txn.Contacts().Delete("e1"); }).ok());
  ASSERT_TRUE(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c1"); }).ok());
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.Contacts().Get("c1"); }).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c1"); }).code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateReplacesTheReferences) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c2", "bob"), {}));
                return txn.Rotations().Insert(MakeRotation("r1", "primary", {"c1"}), {"c1"});
              }).ok());
  auto moved = MakeRotation("r1", "primary", {"c2"});
  moved.meta.version = 2;
  ASSERT_TRUE(Write([&](WriteTxn& txn) { return txn.Rotations().Update(moved, {"c2"}); }).ok());
  EXPECT_TRUE(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c1"); }).ok());
  EXPECT_EQ(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c2"); }).code(),
            StatusCode::kFailedPrecondition);
  // A failed update leaves the references as they were.
  auto stale = moved;
  stale.meta.version = 2;
  EXPECT_EQ(Write([&](WriteTxn& txn) { return txn.Rotations().Update(stale, {}); }).code(),
            StatusCode::kAborted);
  EXPECT_EQ(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c2"); }).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, ReferrerThatIsAChildIsReportedAsItsParent) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c2", "bob"), {}));
                TOCSIN_RETURN_IF_ERROR(
                    txn.Rotations().Insert(MakeRotation("r1", "primary", {"c1"}), {"c1"}));
                return txn.RotationOverrides().Insert(MakeOverride("o1", "r1", {"c2"}), {"c2"});
              }).ok());
  Status s = Write([](WriteTxn& txn) { return txn.Contacts().Delete("c2"); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.blockers(), (std::vector<ResourceRef>{{"rotation", "r1", "primary"}}));

  // Deleting the rotation takes its overrides (and their references) along.
  ASSERT_TRUE(Write([](WriteTxn& txn) { return txn.Rotations().Delete("primary"); }).ok());
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.RotationOverrides().Get("o1"); }).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Write([](WriteTxn& txn) { return txn.Contacts().Delete("c2"); }).ok());
}

TEST_F(SqliteStoreTest, DeletingAContactCascadesToItsChannelsAndSecrets) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Channels().Insert(MakeChannel("ch1", "c1", "mail"), {}));
                TOCSIN_RETURN_IF_ERROR(
                    txn.Channels().Insert(MakeChannel("ch2", "c1", "other"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.PutSecret("ch1", "activation", Secret{"hash", kT0, 0}));
                // Her own plan pages her own channel: a reference inside her subtree.
                auto updated = MakeContact("c1", "alice");
                updated.meta.version = 2;
                updated.stages = {{0, {{"ch1", 0, "", false}}}};
                return txn.Contacts().Update(updated, {"ch1"});
              }).ok());

  // The channel itself is referenced by its owner's plan.
  Status channel_delete = Write([](WriteTxn& txn) { return txn.Channels().Delete("ch1"); });
  EXPECT_EQ(channel_delete.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(channel_delete.blockers(), (std::vector<ResourceRef>{{"contact", "c1", "alice"}}));

  ASSERT_TRUE(Write([](WriteTxn& txn) { return txn.Contacts().Delete("alice"); }).ok());
  for (const char* id : {"ch1", "ch2"}) {
    EXPECT_EQ(ReadOne([&](ReadTxn& txn) { return txn.Channels().Get(id); }).status().code(),
              StatusCode::kNotFound)
        << id;
  }
  EXPECT_EQ(
      ReadOne([](ReadTxn& txn) { return txn.GetSecret("ch1", "activation"); }).status().code(),
      StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ReferenceToMissingResourceIsRefused) {
  Status s = Write([](WriteTxn& txn) {
    return txn.Rotations().Insert(MakeRotation("r1", "primary", {"c404"}), {"c404"});
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.Rotations().Get("r1"); }).status().code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ListPaginatesWithCursorsStableUnderInserts) {
  auto insert = [&](int i) {
    return Write([i](WriteTxn& txn) {
      return txn.Contacts().Insert(
          MakeContact("c" + std::to_string(i), "alias" + std::to_string(i)), {});
    });
  };
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(insert(i).ok());
  auto list = [&](std::string cursor) {
    ListOptions options;
    options.limit = 2;
    options.cursor = std::move(cursor);
    return ReadOne([&](ReadTxn& txn) { return txn.Contacts().List(options); });
  };
  auto ids = [](const Page<domain::Contact>& page) {
    std::vector<std::string> out;
    for (const auto& c : page.items) out.push_back(c.meta.id);
    return out;
  };

  auto p1 = list("");
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(ids(*p1), (std::vector<std::string>{"c0", "c1"}));
  ASSERT_FALSE(p1->next_cursor.empty());
  ASSERT_TRUE(insert(5).ok());  // Appears at the end, not twice, not skipped.
  auto p2 = list(p1->next_cursor);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(ids(*p2), (std::vector<std::string>{"c2", "c3"}));
  auto p3 = list(p2->next_cursor);
  ASSERT_TRUE(p3.ok());
  EXPECT_EQ(ids(*p3), (std::vector<std::string>{"c4", "c5"}));
  EXPECT_EQ(p3->next_cursor, "");  // Exactly full last page: no further cursor.
}

TEST_F(SqliteStoreTest, MalformedCursorIsInvalidArgument) {
  // Not base64url, "not-a-cursor", trailing junk, "s:-".
  for (const std::string& cursor :
       std::vector<std::string>{"!!!", "bm90LWEtY3Vyc29y", EncodeCursor(1) + "x", "czot"}) {
    ListOptions options;
    options.cursor = cursor;
    auto page = ReadOne([&](ReadTxn& txn) { return txn.Contacts().List(options); });
    ASSERT_FALSE(page.ok()) << cursor;
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << cursor;
    EXPECT_EQ(page.status().field(), "cursor") << cursor;
    auto keys = ReadOne([&](ReadTxn& txn) { return txn.ListApiKeys(options); });
    EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument) << cursor;
    EXPECT_EQ(keys.status().field(), "cursor") << cursor;
  }
}

TEST_F(SqliteStoreTest, ListClampsTheLimit) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Write([i](WriteTxn& txn) {
                  return txn.Contacts().Insert(
                      MakeContact("c" + std::to_string(i), "a" + std::to_string(i)), {});
                }).ok());
  }
  ListOptions zero;
  zero.limit = 0;
  auto one = ReadOne([&](ReadTxn& txn) { return txn.Contacts().List(zero); });
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_FALSE(one->next_cursor.empty());
  ListOptions huge;
  huge.limit = 100000;
  auto all = ReadOne([&](ReadTxn& txn) { return txn.Contacts().List(huge); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->next_cursor, "");
}

TEST_F(SqliteStoreTest, ListFiltersByKindAndParent) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(
                    MakeContact("e1", "esc", domain::ContactType::kEscalation), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(
                    MakeContact("s1", "sched", domain::ContactType::kOncallSchedule), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c2", "bob"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Channels().Insert(MakeChannel("ch1", "c1", "a"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Channels().Insert(MakeChannel("ch2", "c2", "b"), {}));
                return txn.Channels().Insert(MakeChannel("ch3", "c1", "c"), {});
              }).ok());
  auto ids_of = [&](const ListOptions& options, bool channels) {
    std::vector<std::string> out;
    Status s = store_->Read([&](ReadTxn& txn) {
      if (channels) {
        auto page = txn.Channels().List(options);
        if (!page.ok()) return page.status();
        for (const auto& c : page->items) out.push_back(c.meta.id);
      } else {
        auto page = txn.Contacts().List(options);
        if (!page.ok()) return page.status();
        for (const auto& c : page->items) out.push_back(c.meta.id);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  };
  ListOptions all;
  EXPECT_EQ(ids_of(all, false), (std::vector<std::string>{"c1", "e1", "s1", "c2"}));
  ListOptions personal;
  personal.kind = "contact";
  EXPECT_EQ(ids_of(personal, false), (std::vector<std::string>{"c1", "c2"}));
  ListOptions escalation;
  escalation.kind = "escalation-plan";
  EXPECT_EQ(ids_of(escalation, false), (std::vector<std::string>{"e1"}));
  ListOptions schedules;
  schedules.kind = "oncall-schedule";
  EXPECT_EQ(ids_of(schedules, false), (std::vector<std::string>{"s1"}));
  ListOptions alice_channels;
  alice_channels.parent_id = "c1";
  EXPECT_EQ(ids_of(alice_channels, true), (std::vector<std::string>{"ch1", "ch3"}));
  EXPECT_EQ(ids_of(all, true), (std::vector<std::string>{"ch1", "ch2", "ch3"}));

  ListOptions foreign;
  foreign.kind = "channel";
  auto refused = ReadOne([&](ReadTxn& txn) { return txn.Contacts().List(foreign); });
  EXPECT_FALSE(refused.ok());
}

// --- API keys, secrets, meta ---------------------------------------------------

domain::ApiKey MakeKey(std::string id, std::string hash) {
  domain::ApiKey key;
  key.id = std::move(id);
  key.name = "key " + key.id;
  key.role = domain::Role::kResponder;
  key.key_hash = std::move(hash);
  key.prefix = "tcn_abc";
  key.created_at = kT0;
  key.created_by = "system";
  return key;
}

TEST_F(SqliteStoreTest, ApiKeysRoundTrip) {
  auto expiring = MakeKey("k1", std::string("\x00\x01\xff hash one", 12));
  expiring.expires_at = kT0 + std::chrono::hours(24);
  auto forever = MakeKey("k2", "hash two");
  forever.role = domain::Role::kIntegration;
  ASSERT_TRUE(Write([&](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.InsertApiKey(expiring));
                return txn.InsertApiKey(forever);
              }).ok());

  auto by_hash = ReadOne([&](ReadTxn& txn) { return txn.FindApiKeyByHash(expiring.key_hash); });
  ASSERT_TRUE(by_hash.ok()) << by_hash.status().ToString();
  EXPECT_EQ(by_hash->id, "k1");
  EXPECT_EQ(by_hash->key_hash, expiring.key_hash);
  EXPECT_EQ(by_hash->name, "key k1");
  EXPECT_EQ(by_hash->role, domain::Role::kResponder);
  EXPECT_EQ(by_hash->prefix, "tcn_abc");
  EXPECT_EQ(by_hash->created_at, kT0);
  EXPECT_EQ(by_hash->created_by, "system");
  EXPECT_EQ(by_hash->expires_at, expiring.expires_at);
  auto by_id = ReadOne([](ReadTxn& txn) { return txn.GetApiKey("k2"); });
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->role, domain::Role::kIntegration);
  EXPECT_FALSE(by_id->expires_at.has_value());
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.FindApiKeyByHash("nope"); }).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.GetApiKey("k9"); }).status().code(),
            StatusCode::kNotFound);
  auto count = ReadOne([](ReadTxn& txn) { return txn.CountApiKeys(); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);

  ListOptions first;
  first.limit = 1;
  auto p1 = ReadOne([&](ReadTxn& txn) { return txn.ListApiKeys(first); });
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->items.size(), 1u);
  EXPECT_EQ(p1->items[0].id, "k1");
  ListOptions second = first;
  second.cursor = p1->next_cursor;
  auto p2 = ReadOne([&](ReadTxn& txn) { return txn.ListApiKeys(second); });
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->items.size(), 1u);
  EXPECT_EQ(p2->items[0].id, "k2");
  EXPECT_EQ(p2->next_cursor, "");

  // A duplicate hash is refused by the database.
  EXPECT_EQ(
      Write([&](WriteTxn& txn) { return txn.InsertApiKey(MakeKey("k3", "hash two")); }).code(),
      StatusCode::kAlreadyExists);

  EXPECT_TRUE(Write([](WriteTxn& txn) { return txn.DeleteApiKey("k1"); }).ok());
  EXPECT_EQ(Write([](WriteTxn& txn) { return txn.DeleteApiKey("k1"); }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(*ReadOne([](ReadTxn& txn) { return txn.CountApiKeys(); }), 1);
}

TEST_F(SqliteStoreTest, SecretsRoundTripAndReplace) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                TOCSIN_RETURN_IF_ERROR(txn.Channels().Insert(MakeChannel("ch1", "c1", "m"), {}));
                return txn.PutSecret("ch1", "activation", Secret{std::string("\x00h1", 3), kT0, 0});
              }).ok());
  auto get = [&] {
    return ReadOne([](ReadTxn& txn) { return txn.GetSecret("ch1", "activation"); });
  };
  auto first = get();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->hash, std::string("\x00h1", 3));
  EXPECT_EQ(first->expires_at, kT0);
  EXPECT_EQ(first->failed_attempts, 0);

  ASSERT_TRUE(
      Write([](WriteTxn& txn) {
        return txn.PutSecret("ch1", "activation", Secret{"h2", kT0 + std::chrono::hours(24), 3});
      }).ok());
  auto second = get();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->hash, "h2");
  EXPECT_EQ(second->expires_at, kT0 + std::chrono::hours(24));
  EXPECT_EQ(second->failed_attempts, 3);
  EXPECT_EQ(ReadOne([](ReadTxn& txn) { return txn.GetSecret("ch1", "other"); }).status().code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(Write([](WriteTxn& txn) { return txn.DeleteSecret("ch1", "activation"); }).ok());
  EXPECT_EQ(get().status().code(), StatusCode::kNotFound);

  // A secret needs an owner.
  EXPECT_FALSE(Write([](WriteTxn& txn) {
                 return txn.PutSecret("nobody", "activation", Secret{"h", kT0, 0});
               }).ok());
}

TEST_F(SqliteStoreTest, MetaRoundTripsAndReplaces) {
  EXPECT_EQ(GetMeta("heartbeat").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(PutMeta("heartbeat", "1").ok());
  ASSERT_TRUE(PutMeta("heartbeat", "2").ok());
  auto value = GetMeta("heartbeat");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "2");
}

// --- Backup ------------------------------------------------------------------

TEST_F(SqliteStoreTest, BackupProducesADatabaseThatOpensWithTheData) {
  ASSERT_TRUE(Write([](WriteTxn& txn) {
                TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(MakeContact("c1", "alice"), {}));
                return txn.PutMeta("k", "v");
              }).ok());
  const std::string backup_path = dir_.File("backup.db");
  ASSERT_TRUE(store_->Backup(backup_path).ok());

  // Changes after the backup are not in it.
  ASSERT_TRUE(PutMeta("k", "after").ok());

  StoreOptions options;
  options.path = backup_path;
  auto copy = OpenSqliteStore(options, clock_);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  std::string meta;
  std::string alias;
  ASSERT_TRUE((*copy)
                  ->Read([&](ReadTxn& txn) {
                    auto m = txn.GetMeta("k");
                    if (!m.ok()) return m.status();
                    meta = *m;
                    auto c = txn.Contacts().Get("c1");
                    if (!c.ok()) return c.status();
                    alias = c->alias;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(meta, "v");
  EXPECT_EQ(alias, "alice");
}

TEST_F(SqliteStoreTest, BackupOntoAnExistingFileIsRefused) {
  const std::string existing = dir_.File("existing.db");
  std::ofstream(existing) << "precious";
  Status s = store_->Backup(existing);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  std::ifstream in(existing);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(SqliteStoreTest, BackupIntoMissingDirectoryIsUnavailable) {
  Status s = store_->Backup(dir_.File("no-such-dir/backup.db"));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

// --- Cursor encoding -----------------------------------------------------------

TEST(CursorTest, RoundTripsAndRejectsForgeries) {
  for (int64_t seq : {int64_t{0}, int64_t{1}, int64_t{987654321}, INT64_MAX}) {
    auto decoded = DecodeCursor(EncodeCursor(seq));
    ASSERT_TRUE(decoded.ok()) << seq;
    EXPECT_EQ(*decoded, seq);
  }
  // "", "s:", "s:-1", "x:1", "s:1a".
  for (std::string_view bad : {"", "czo", "czotMQ", "eDox", "czoxYQ"}) {
    auto decoded = DecodeCursor(bad);
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(decoded.status().field(), "cursor") << bad;
  }
}

}  // namespace
}  // namespace tocsin::store
