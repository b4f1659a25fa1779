// /api/v1/ledger: the signed checkpoint of the current ledger, and an online
// run of the offline verifier (what `tocsin verify` checks) over the database
// file.
#include <algorithm>
#include <thread>

#include "api/internal.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/store/ledger_verify.h"

namespace tocsin::api {

// Runs at most one ledger verification at a time, each on a thread of its own
// (it reads the whole ledger, far too long for an I/O thread). Stop() refuses
// new ones and joins the running one, so no thread outlives the Api.
class LedgerVerifier {
 public:
  using Done = std::function<void(Result<store::VerifyReport>)>;

  explicit LedgerVerifier(std::string db_path) : db_path_(std::move(db_path)) {}
  ~LedgerVerifier() { Stop(); }
  LedgerVerifier(const LedgerVerifier&) = delete;
  LedgerVerifier& operator=(const LedgerVerifier&) = delete;

  // Starts a verification; `done` gets its result on the worker thread.
  // kResourceExhausted while one runs, kUnavailable after Stop().
  Status Start(Done done) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return Unavailable("the server is shutting down");
    if (running_) {
      return ResourceExhausted("a ledger verification is already running; retry when it is done");
    }
    // The previous worker cleared running_ before replying and touches
    // nothing guarded after that, so this join is short.
    if (worker_.joinable()) worker_.join();
    // running_ is set after the thread exists (a failed start leaves it
    // false); the worker cannot clear it first, as it needs mu_ to.
    worker_ = std::thread([this, hook = before_verify_for_test_, done = std::move(done)] {
      if (hook) hook();
      store::VerifyOptions options;
      // Half the cores: the server keeps answering while the ledger is hashed.
      options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
      auto result = store::VerifyLedgerFile(db_path_, options);
      {
        // Cleared before replying, so a client that asks again as soon as it
        // has the answer is not refused.
        std::lock_guard<std::mutex> done_lock(mu_);
        running_ = false;
      }
      done(std::move(result));
    });
    running_ = true;
    return Status::Ok();
  }

  // Refuses new verifications and waits for the running one (it cannot be
  // cancelled) to finish and reply. Idempotent.
  void Stop() {
    std::thread worker;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
      worker = std::move(worker_);
    }
    if (worker.joinable()) worker.join();
  }

  void SetBeforeVerifyForTest(std::function<void()> hook) {
    std::lock_guard<std::mutex> lock(mu_);
    before_verify_for_test_ = std::move(hook);
  }

 private:
  const std::string db_path_;
  std::mutex mu_;
  bool running_ = false;                          // Guarded by mu_.
  bool stopped_ = false;                          // Guarded by mu_.
  std::thread worker_;                            // Guarded by mu_.
  std::function<void()> before_verify_for_test_;  // Guarded by mu_.
};

namespace {

const char* KeySourceName(store::VerifierKeySource source) {
  switch (source) {
    case store::VerifierKeySource::kNone:
      return "none";
    case store::VerifierKeySource::kOption:
      return "option";
    case store::VerifierKeySource::kDatabase:
      return "database";
  }
  return "none";
}

// The report as `tocsin verify` prints it, in JSON. A finding (ok false) is a
// 200: the request worked, the ledger did not.
Json ReportToJson(const store::VerifyReport& r) {
  Json j = {{"ok", r.ok},
            {"entries", r.entries},
            {"root", r.root},
            {"checkpoints", r.checkpoints_checked},
            {"keySource", KeySourceName(r.key_source)}};
  if (!r.verifier_key.empty()) j["verifierKey"] = r.verifier_key;
  if (r.first_bad_seq) j["firstBadSeq"] = *r.first_bad_seq;
  if (!r.ok) j["problem"] = r.problem;
  return j;
}

}  // namespace

void AddLedgerRoutes(Api::Impl& api) {
  api.routes.push_back(
      {"GET", "/api/v1/ledger/checkpoint", kReaders, [&api](Call& call) {
         const domain::LedgerService& ledger = *api.svc.ledger;
         api.Mutate<store::StoredCheckpoint>(
             call, [&ledger](store::WriteTxn& txn) { return ledger.Checkpoint(txn); },
             [&ledger](const store::StoredCheckpoint& cp) {
               return JsonResponse(200, {{"origin", ledger.origin()},
                                         {"size", cp.size},
                                         {"root", crypto::Base64Encode(cp.root)},
                                         {"rootHex", crypto::HexEncode(cp.root)},
                                         {"createdAt", FormatRfc3339(cp.created_at)},
                                         {"note", cp.note},
                                         {"verifierKey", ledger.verifier_key()}});
             });
       }});

  api.verifier = std::make_shared<LedgerVerifier>(api.svc.db_path);
  api.routes.push_back(
      {"GET", "/api/v1/ledger/verify", kReaders, [&api](Call& call) {
         if (api.svc.db_path.empty()) {
           return api.Fail(call, Unavailable("ledger verification needs the database path"));
         }
         auto reply = call.reply;
         Status started = api.verifier->Start([reply, rid = call.rid(), principal = call.who.id](
                                                  Result<store::VerifyReport> report) {
           reply.Later([rid, principal, report = std::move(report)] {
             http::Response response;
             if (report.ok()) {
               response = JsonResponse(200, ReportToJson(*report));
             } else if (report.status().code() == StatusCode::kUnavailable) {
               response = ErrorResponse(report.status(), rid);
             } else {
               // The server's own database is missing or not a Tocsin one:
               // not something the caller can fix.
               response = ErrorResponse(
                   Internal("ledger verification: " + report.status().ToString()), rid);
             }
             response.principal = principal;
             return response;
           });
         });
         if (!started.ok()) api.Fail(call, started);
       }});
}

void StopLedgerVerifier(Api::Impl& api) {
  if (api.verifier) api.verifier->Stop();
}

void Api::SetBeforeLedgerVerifyForTest(std::function<void()> hook) {
  if (impl_->verifier) impl_->verifier->SetBeforeVerifyForTest(std::move(hook));
}

}  // namespace tocsin::api
