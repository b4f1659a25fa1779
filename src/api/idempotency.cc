#include "api/idempotency.h"

#include "tocsin/crypto/crypto.h"

namespace tocsin::api {

Result<std::optional<std::string>> IdempotencyKeyOf(const http::Request& req,
                                                    codec::ObjectReader& reader) {
  auto token = reader.String("clientToken", 1, 128);
  std::string_view header = req.HeaderValue("idempotency-key");
  if (!header.empty()) {
    if (header.size() > 255 || std::any_of(header.begin(), header.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x21 || c == 0x7f;
        })) {
      return InvalidArgument("Idempotency-Key must be 1 to 255 printable characters",
                             "Idempotency-Key");
    }
    if (token && *token != header) {
      return InvalidArgument("clientToken and Idempotency-Key differ; send one", "clientToken");
    }
    return std::optional<std::string>(std::string(header));
  }
  return token;
}

void MutateIdempotent(Api::Impl& api, Call& call, const std::optional<std::string>& key,
                      const Json& request,
                      std::function<Result<http::Response>(store::WriteTxn&)> fn) {
  if (!key) {
    api.Mutate<http::Response>(call, std::move(fn), [](const http::Response& r) { return r; });
    return;
  }
  // Sorted keys, so that two serializations of the same request hash alike.
  nlohmann::json normalized = nlohmann::json::parse(codec::Dump(request));
  normalized.erase("clientToken");
  const std::string scope = call.req.method + " " + call.req.path + " " + call.who.id;
  const std::string hash = crypto::Sha256(normalized.dump());
  api.Mutate<http::Response>(
      call,
      [fn = std::move(fn), scope, hash,
       key = *key](store::WriteTxn& txn) -> Result<http::Response> {
        auto stored = txn.GetIdempotency(scope, key);
        if (!stored.ok()) return stored.status();
        if (*stored) {
          if ((*stored)->request_hash != hash) {
            return FailedPrecondition(
                "this idempotency key was used for a different request; use a new key");
          }
          http::Response replay;
          replay.status = static_cast<unsigned>((*stored)->status);
          replay.body = (*stored)->body;
          replay.headers.push_back({"idempotent-replayed", "true"});
          return replay;
        }
        auto response = fn(txn);
        if (!response.ok()) return response.status();
        if (response->status >= 200 && response->status < 300) {
          TOCSIN_RETURN_IF_ERROR(
              txn.PutIdempotency(scope, key,
                                 store::IdempotencyRecord{hash, static_cast<int>(response->status),
                                                          response->body, txn.Now()}));
        }
        return response;
      },
      [](const http::Response& r) { return r; });
}

}  // namespace tocsin::api
