// Contacts, escalation plans, on-call schedules and contact channels: the
// rules of ssm-contacts (reference/aws-incident-manager.md §3.3–3.6).
//
// Every method runs inside a write transaction on the store's writer thread
// and either applies all of its changes or returns an error and changes
// nothing (except where noted). Errors carry the API field they are about.
// The service holds no mutable state; it is safe to share.
#pragma once

#include <string>
#include <string_view>

#include "tocsin/domain/contact.h"
#include "tocsin/domain/principal.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

// Limits (AWS quotas where AWS has one).
inline constexpr size_t kMaxStages = 10;
inline constexpr size_t kMaxTargetsPerStage = 10;
inline constexpr size_t kMaxChannelsPerContact = 20;
inline constexpr size_t kMaxRotationsPerSchedule = 5;
inline constexpr int kMaxRepeatCount = 10;
inline constexpr int kActivationCodeDigits = 6;
inline constexpr int kMaxActivationAttempts = 5;
inline constexpr auto kActivationCodeLifetime = std::chrono::hours(24);

class ContactService {
 public:
  // Does not take ownership of `notifier`, which must outlive the service.
  explicit ContactService(notify::Notifier& notifier) : notifier_(notifier) {}

  // Creates a contact of spec.type from `spec` (alias, display name, plan /
  // stages / rotations, tags). References in the plan (channels, contacts,
  // rotations) may be ids or names; they are stored as ids.
  // Errors: kInvalidArgument (field set), kAlreadyExists (alias taken).
  Result<Contact> Create(store::WriteTxn& txn, const Principal& who, Contact spec);

  // Replaces `current` (as read in this transaction) with `updated`; the
  // alias and type cannot change. kAborted if `expected_version` is set and
  // differs from current's.
  Result<Contact> Update(store::WriteTxn& txn, const Principal& who, const Contact& current,
                         Contact updated, std::optional<int64_t> expected_version);

  // Deletes the contact (with its channels). kNotFound unless it exists and
  // has `type`; kFailedPrecondition listing referrers while anything uses it.
  Status Delete(store::WriteTxn& txn, std::string_view id_or_alias, ContactType type);

  // Adds a channel to the PERSONAL contact `contact_ref`. Unless
  // `defer_activation`, an activation code is generated and handed to the
  // notifier after the commit.
  Result<Channel> CreateChannel(store::WriteTxn& txn, const Principal& who,
                                std::string_view contact_ref, Channel spec, bool defer_activation);

  // Renames or re-addresses a channel. A new address resets it to
  // NOT_ACTIVATED and sends a new code; the type cannot change.
  Result<Channel> UpdateChannel(store::WriteTxn& txn, const Principal& who, const Channel& current,
                                Channel updated, std::optional<int64_t> expected_version);

  // Deletes a channel, first removing it from its owner's engagement plan.
  Status DeleteChannel(store::WriteTxn& txn, const Principal& who, std::string_view id);

  // Activates the channel if `code` matches its current activation code.
  // A wrong code is counted (the count is committed even though the call
  // fails: the caller must use KeepChangesOnError semantics, which this method
  // requests); after kMaxActivationAttempts wrong codes the code is void.
  // Errors: kInvalidArgument (wrong code, field "code"), kFailedPrecondition
  // (no code pending, expired, or locked).
  Result<Channel> Activate(store::WriteTxn& txn, const Principal& who, std::string_view id,
                           std::string_view code);

  Result<Channel> Deactivate(store::WriteTxn& txn, const Principal& who, std::string_view id);

  // Issues a fresh activation code (voiding the previous one and its failed
  // attempts) and hands it to the notifier after the commit.
  // kFailedPrecondition if the channel is already activated.
  Result<Channel> SendActivationCode(store::WriteTxn& txn, const Principal& who,
                                     std::string_view id);

 private:
  Status ResolvePlan(store::WriteTxn& txn, Contact& contact);
  Status IssueCode(store::WriteTxn& txn, const Channel& channel);
  static std::vector<std::string> RefsOf(const Contact& contact);

  notify::Notifier& notifier_;
};

// Validation helpers shared with other services. Each returns OK or
// kInvalidArgument naming `field`.
Status ValidateAlias(std::string_view alias, const std::string& field);
Status ValidateName(std::string_view name, size_t max_len, const std::string& field);
Status ValidateDisplayName(std::string_view name, const std::string& field);
Status ValidateTags(const std::map<std::string, std::string>& tags, const std::string& field);
Status ValidateDeliveryAddress(ChannelType type, std::string_view address,
                               const std::string& field);
bool IsEmailAddress(std::string_view address);
bool IsE164(std::string_view number);

}  // namespace tocsin::domain
