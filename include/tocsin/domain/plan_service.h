// Rotations and their overrides, response plans, notification targets and
// chat channels: the objects a team configures before anything goes wrong.
//
// Every method runs inside a write transaction (or a read one for the
// queries) and either applies all of its changes or returns an error naming
// the API field at fault. References accept an id or a unique name and are
// stored as ids. Stateless; safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/domain/plans.h"
#include "tocsin/domain/principal.h"
#include "tocsin/domain/rotation.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

inline constexpr size_t kMaxOverridesPerRotation = 500;
inline constexpr auto kMaxShiftWindow = std::chrono::days(366);

// A rotation's shifts or who is on call, with members as contact ids.
struct RotationShifts {
  Rotation rotation;
  std::vector<Shift> shifts;
};

class PlanService {
 public:
  // Rotations. Members are PERSONAL contacts (ids or aliases), 1..30, unique.
  Result<Rotation> CreateRotation(store::WriteTxn& txn, const Principal& who, Rotation spec);
  Result<Rotation> UpdateRotation(store::WriteTxn& txn, const Principal& who,
                                  const Rotation& current, Rotation updated,
                                  std::optional<int64_t> expected_version);
  // kFailedPrecondition listing the on-call schedules that use it.
  Status DeleteRotation(store::WriteTxn& txn, std::string_view id_or_name);

  // Overrides. Members are PERSONAL contacts (0..30); windows start < end and
  // may not overlap another override of the same rotation.
  Result<RotationOverride> CreateOverride(store::WriteTxn& txn, const Principal& who,
                                          std::string_view rotation_ref, OverrideSpec spec);
  Status DeleteOverride(store::WriteTxn& txn, std::string_view rotation_ref,
                        std::string_view override_id);
  // Returns the rotation's overrides that intersect [from, to) (all when unset).
  Result<std::vector<RotationOverride>> ListOverrides(store::ReadTxn& txn,
                                                      std::string_view rotation_ref,
                                                      std::optional<TimePoint> from,
                                                      std::optional<TimePoint> to);

  // Shifts of a saved rotation in [from, to) (<= 366 days), overrides applied.
  Result<RotationShifts> Shifts(store::ReadTxn& txn, std::string_view rotation_ref, TimePoint from,
                                TimePoint to);
  // Members (contact ids) of a saved rotation on call at `at`.
  Result<std::vector<std::string>> OnCall(store::ReadTxn& txn, std::string_view rotation_ref,
                                          TimePoint at);
  // Who an on-call schedule reaches at `at`: the union, in rotation order
  // without repeats, of its rotations' current shifts.
  Result<std::vector<std::string>> ScheduleOnCall(store::ReadTxn& txn,
                                                  std::string_view schedule_ref, TimePoint at);

  // Response plans. Engagements are contacts of any type (<= 5), chat
  // channels (<= 5) and notification targets (<= 10) by id or name.
  Result<ResponsePlan> CreateResponsePlan(store::WriteTxn& txn, const Principal& who,
                                          ResponsePlan spec);
  Result<ResponsePlan> UpdateResponsePlan(store::WriteTxn& txn, const Principal& who,
                                          const ResponsePlan& current, ResponsePlan updated,
                                          std::optional<int64_t> expected_version);
  Status DeleteResponsePlan(store::WriteTxn& txn, std::string_view id_or_name);

  Result<NotificationTarget> CreateNotificationTarget(store::WriteTxn& txn, const Principal& who,
                                                      NotificationTarget spec);
  Result<NotificationTarget> UpdateNotificationTarget(store::WriteTxn& txn, const Principal& who,
                                                      const NotificationTarget& current,
                                                      NotificationTarget updated,
                                                      std::optional<int64_t> expected_version);
  Status DeleteNotificationTarget(store::WriteTxn& txn, std::string_view id_or_name);

  Result<ChatChannel> CreateChatChannel(store::WriteTxn& txn, const Principal& who,
                                        ChatChannel spec);
  Result<ChatChannel> UpdateChatChannel(store::WriteTxn& txn, const Principal& who,
                                        const ChatChannel& current, ChatChannel updated,
                                        std::optional<int64_t> expected_version);
  Status DeleteChatChannel(store::WriteTxn& txn, std::string_view id_or_name);

 private:
  Status ResolveMembers(store::ReadTxn& txn, std::vector<std::string>& members,
                        const std::string& field);
  Result<std::vector<OverrideSpec>> OverrideSpecs(store::ReadTxn& txn,
                                                  const std::string& rotation_id);
  Status ResolveResponsePlan(store::WriteTxn& txn, ResponsePlan& plan);
};

// Returns OK if `url` is an absolute http(s) URL with a host and no user
// info, at most 2048 characters; kInvalidArgument naming `field` otherwise.
Status ValidateHttpUrl(std::string_view url, const std::string& field);

// Returns OK for a rotation name: 1..255 of [a-zA-Z0-9_-. ] and spaces.
Status ValidateRotationName(std::string_view name, const std::string& field);

}  // namespace tocsin::domain
