// Idempotent mutations (clientToken / Idempotency-Key).
//
// The key comes from the body's "clientToken" (AWS style, <= 128 characters)
// or the Idempotency-Key header (<= 255 printable characters); sending both
// with different values is an error. Scope = method, route and caller, so
// keys of different callers never collide. The first 2xx response is stored
// with a hash of the request (its JSON, keys sorted, without clientToken);
// the same key with the same request replays it (header
// "Idempotent-Replayed: true"), with a different request answers 409. Records
// live 48 hours.
#pragma once

#include <optional>
#include <string>

#include "api/internal.h"

namespace tocsin::api {

// Reads (and consumes) "clientToken" from `reader` and the header.
Result<std::optional<std::string>> IdempotencyKeyOf(const http::Request& req,
                                                    codec::ObjectReader& reader);

// Runs `fn` in a write transaction unless `key` names a stored response, and
// stores fn's 2xx response under `key` in the same transaction.
void MutateIdempotent(Api::Impl& api, Call& call, const std::optional<std::string>& key,
                      const Json& request,
                      std::function<Result<http::Response>(store::WriteTxn&)> fn);

}  // namespace tocsin::api
