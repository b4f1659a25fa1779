// Status and Result<T>: how every module of Tocsin reports failure to its caller.
//
// A Status is OK or carries a canonical code (a subset of abseil's), a message
// for humans, and optionally the request field the error is about and the
// resources that block an operation (for "409: still referenced by ..."). The
// api module maps codes to HTTP statuses in exactly one place.
//
// Result<T> holds either a T or a non-OK Status. Both are plain values and are
// safe to move between threads; neither is internally synchronized.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace tocsin {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // Bad input; the caller must change the request.
  kNotFound,            // The named resource does not exist.
  kAlreadyExists,       // A unique name or key is taken.
  kFailedPrecondition,  // State forbids it (referenced, already stopped, ...).
  kAborted,             // Optimistic concurrency: the version moved (If-Match).
  kUnauthenticated,     // No or bad credentials.
  kPermissionDenied,    // Credentials fine, role insufficient.
  kResourceExhausted,   // Rate limit or quota.
  kUnavailable,         // Transient: storage full/unwritable, shutting down.
  kDeadlineExceeded,    // Took too long.
  kInternal,            // A bug or an unexpected library failure.
};

// Returns the upper-snake name of `code`, e.g. "NOT_FOUND".
const char* StatusCodeName(StatusCode code);

// A resource that blocks an operation, e.g. an escalation plan that still
// references the contact being deleted.
struct ResourceRef {
  std::string kind;  // "contact", "escalation-plan", ...
  std::string id;
  std::string name;  // alias or name, may be empty.
  bool operator==(const ResourceRef&) const = default;
};

class [[nodiscard]] Status {
 public:
  // Constructs OK.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // The request field the error is about, as a JSON path ("plan.stages[0].targets").
  // Empty when the error is not about one field.
  const std::string& field() const { return field_; }
  Status& WithField(std::string field) & {
    field_ = std::move(field);
    return *this;
  }
  Status&& WithField(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }

  // Resources blocking the operation (kFailedPrecondition on delete).
  const std::vector<ResourceRef>& blockers() const { return blockers_; }
  Status&& WithBlockers(std::vector<ResourceRef> blockers) && {
    blockers_ = std::move(blockers);
    return std::move(*this);
  }

  // Returns "CODE: message" (plus " [field]" when set), for logs and tests.
  std::string ToString() const;

  // Explicitly discards a Status whose failure the caller has decided not to handle.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::vector<ResourceRef> blockers_;
};

// Convenience constructors, named after the code they produce.
Status InvalidArgument(std::string message, std::string field = {});
Status NotFound(std::string message);
Status AlreadyExists(std::string message, std::string field = {});
Status FailedPrecondition(std::string message);
Status Aborted(std::string message);
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message);
Status ResourceExhausted(std::string message);
Status Unavailable(std::string message);
Status DeadlineExceeded(std::string message);
Status Internal(std::string message);

// Holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // REQUIRES: !status.ok().
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // Returns OK when a value is held, else the error.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tocsin

// Returns from the current function with the status of `expr` when it is not OK.
// Works for functions returning Status or any Result<T>. Nests safely (the
// temporary's name is unique per use).
#define TOCSIN_RETURN_IF_ERROR(expr) \
  TOCSIN_RETURN_IF_ERROR_NAMED(expr, TOCSIN_STATUS_CONCAT(tocsin_status_, __COUNTER__))
#define TOCSIN_STATUS_CONCAT(a, b) TOCSIN_STATUS_CONCAT_INNER(a, b)
#define TOCSIN_STATUS_CONCAT_INNER(a, b) a##b
#define TOCSIN_RETURN_IF_ERROR_NAMED(expr, name) \
  do {                                           \
    ::tocsin::Status name = (expr);              \
    if (!name.ok()) return name;                 \
  } while (false)
