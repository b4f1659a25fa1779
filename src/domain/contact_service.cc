#include "tocsin/domain/contact_service.h"

#include <algorithm>
#include <set>

#include "tocsin/core/ids.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/resource_meta.h"

namespace tocsin::domain {
namespace {

constexpr const char* kActivationPurpose = "activation";

std::string StagePath(ContactType type, size_t i) {
  return std::string(type == ContactType::kPersonal ? "plan.stages" : "stages") + "[" +
         std::to_string(i) + "]";
}

std::string CodeHash(std::string_view channel_id, std::string_view code) {
  return crypto::Sha256(std::string(channel_id) + ":" + std::string(code));
}

const char* TypeNoun(ContactType type) {
  switch (type) {
    case ContactType::kPersonal:
      return "contact";
    case ContactType::kEscalation:
      return "escalation plan";
    case ContactType::kOncallSchedule:
      return "on-call schedule";
  }
  return "contact";
}

}  // namespace

std::vector<std::string> ContactService::RefsOf(const Contact& c) {
  std::vector<std::string> refs;
  for (const auto& stage : c.stages) {
    for (const auto& t : stage.targets) {
      refs.push_back(c.type == ContactType::kPersonal ? t.channel_id : t.contact_id);
    }
  }
  refs.insert(refs.end(), c.rotation_ids.begin(), c.rotation_ids.end());
  return refs;
}

Status ContactService::ResolvePlan(store::WriteTxn& txn, Contact& c) {
  if (c.type == ContactType::kOncallSchedule) {
    if (c.rotation_ids.empty() || c.rotation_ids.size() > kMaxRotationsPerSchedule) {
      return InvalidArgument("rotations must list 1 to 5 rotations", "rotations");
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < c.rotation_ids.size(); ++i) {
      const std::string field = "rotations[" + std::to_string(i) + "]";
      auto rotation = txn.Rotations().Get(c.rotation_ids[i]);
      if (!rotation.ok()) {
        return InvalidArgument("rotation \"" + c.rotation_ids[i] + "\" does not exist", field);
      }
      if (!seen.insert(rotation->meta.id).second) {
        return InvalidArgument("rotation \"" + c.rotation_ids[i] + "\" is listed twice", field);
      }
      c.rotation_ids[i] = rotation->meta.id;
    }
    return Status::Ok();
  }
  if (c.type == ContactType::kEscalation && c.stages.empty()) {
    return InvalidArgument("stages must have 1 to 10 stages", "stages");
  }
  if (c.stages.size() > kMaxStages) {
    return InvalidArgument("a plan has at most 10 stages",
                           c.type == ContactType::kPersonal ? "plan.stages" : "stages");
  }
  if (c.type == ContactType::kEscalation &&
      (c.repeat_count < 0 || c.repeat_count > kMaxRepeatCount)) {
    return InvalidArgument("repeatCount must be between 0 and 10", "repeatCount");
  }
  for (size_t i = 0; i < c.stages.size(); ++i) {
    Stage& stage = c.stages[i];
    const std::string path = StagePath(c.type, i);
    if (stage.duration_minutes < 0 || stage.duration_minutes > 30) {
      return InvalidArgument("durationInMinutes must be between 0 and 30",
                             path + ".durationInMinutes");
    }
    if (stage.duration_minutes == 0 && stage.targets.empty()) {
      return InvalidArgument("durationInMinutes can be 0 only when the stage has targets",
                             path + ".durationInMinutes");
    }
    if (stage.targets.size() > kMaxTargetsPerStage) {
      return InvalidArgument("a stage has at most 10 targets", path + ".targets");
    }
    std::set<std::string> seen;
    for (size_t j = 0; j < stage.targets.size(); ++j) {
      StageTarget& t = stage.targets[j];
      const std::string tpath = path + ".targets[" + std::to_string(j) + "]";
      if (c.type == ContactType::kPersonal) {
        if (t.retry_interval_minutes < 0 || t.retry_interval_minutes > 60) {
          return InvalidArgument("retryIntervalInMinutes must be between 0 and 60",
                                 tpath + ".retryIntervalInMinutes");
        }
        auto channel = txn.Channels().Get(t.channel_id);
        if (!channel.ok() || channel->contact_id != c.meta.id) {
          return InvalidArgument("\"" + t.channel_id + "\" is not a channel of this contact",
                                 tpath + ".channel");
        }
        t.channel_id = channel->meta.id;
        if (!seen.insert(t.channel_id).second) {
          return InvalidArgument("channel is listed twice in this stage", tpath + ".channel");
        }
      } else {
        auto target = txn.Contacts().Get(t.contact_id);
        if (!target.ok()) {
          return InvalidArgument("contact \"" + t.contact_id + "\" does not exist",
                                 tpath + ".contact");
        }
        if (target->type == ContactType::kEscalation) {
          // Escalation plans target people and on-call schedules only, which
          // also means no plan can reach itself through its targets.
          return InvalidArgument("\"" + t.contact_id +
                                     "\" is an escalation plan; targets must be personal "
                                     "contacts or on-call schedules",
                                 tpath + ".contact");
        }
        t.contact_id = target->meta.id;
        if (!seen.insert(t.contact_id).second) {
          return InvalidArgument("contact is listed twice in this stage", tpath + ".contact");
        }
      }
    }
  }
  return Status::Ok();
}

Result<Contact> ContactService::Create(store::WriteTxn& txn, const Principal& who, Contact spec) {
  TOCSIN_RETURN_IF_ERROR(ValidateAlias(spec.alias, "alias"));
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(spec.display_name, "displayName"));
  TOCSIN_RETURN_IF_ERROR(ValidateTags(spec.tags, "tags"));
  spec.meta = NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(ResolvePlan(txn, spec));
  TOCSIN_RETURN_IF_ERROR(txn.Contacts().Insert(spec, RefsOf(spec)));
  return spec;
}

Result<Contact> ContactService::Update(store::WriteTxn& txn, const Principal& who,
                                       const Contact& current, Contact updated,
                                       std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, TypeNoun(current.type)));
  if (updated.alias != current.alias) {
    return InvalidArgument("alias cannot be changed; create a new contact instead", "alias");
  }
  updated.type = current.type;
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(updated.display_name, "displayName"));
  TOCSIN_RETURN_IF_ERROR(ValidateTags(updated.tags, "tags"));
  updated.meta = NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(ResolvePlan(txn, updated));
  TOCSIN_RETURN_IF_ERROR(txn.Contacts().Update(updated, RefsOf(updated)));
  return updated;
}

Status ContactService::Delete(store::WriteTxn& txn, std::string_view id_or_alias,
                              ContactType type) {
  auto contact = txn.Contacts().Get(id_or_alias);
  if (!contact.ok() || contact->type != type) {
    return NotFound(std::string(TypeNoun(type)) + " \"" + std::string(id_or_alias) +
                    "\" not found");
  }
  return txn.Contacts().Delete(contact->meta.id);
}

Status ContactService::IssueCode(store::WriteTxn& txn, const Channel& channel) {
  const std::string code = RandomDigits(kActivationCodeDigits);
  store::Secret secret{CodeHash(channel.meta.id, code), txn.Now() + kActivationCodeLifetime, 0};
  TOCSIN_RETURN_IF_ERROR(txn.PutSecret(channel.meta.id, kActivationPurpose, secret));
  txn.OnCommit([this, channel, code] { notifier_.SendActivationCode(channel, code); });
  return Status::Ok();
}

Result<Channel> ContactService::CreateChannel(store::WriteTxn& txn, const Principal& who,
                                              std::string_view contact_ref, Channel spec,
                                              bool defer_activation) {
  auto contact = txn.Contacts().Get(contact_ref);
  if (!contact.ok() || contact->type != ContactType::kPersonal) {
    return NotFound("contact \"" + std::string(contact_ref) + "\" not found");
  }
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(spec.name, "name"));
  TOCSIN_RETURN_IF_ERROR(
      ValidateDeliveryAddress(spec.type, spec.delivery_address, "deliveryAddress"));
  store::ListOptions existing;
  existing.parent_id = contact->meta.id;
  existing.limit = kMaxChannelsPerContact;
  auto page = txn.Channels().List(existing);
  if (!page.ok()) return page.status();
  if (!page->next_cursor.empty() || page->items.size() >= kMaxChannelsPerContact) {
    return FailedPrecondition("a contact has at most 20 channels");
  }
  spec.meta = NewMeta(txn, who);
  spec.contact_id = contact->meta.id;
  spec.activation_status = ActivationStatus::kNotActivated;
  TOCSIN_RETURN_IF_ERROR(txn.Channels().Insert(spec, {}));
  if (!defer_activation) TOCSIN_RETURN_IF_ERROR(IssueCode(txn, spec));
  return spec;
}

Result<Channel> ContactService::UpdateChannel(store::WriteTxn& txn, const Principal& who,
                                              const Channel& current, Channel updated,
                                              std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, "channel"));
  if (updated.type != current.type) {
    return InvalidArgument("type cannot be changed; create a new channel instead", "type");
  }
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(updated.name, "name"));
  TOCSIN_RETURN_IF_ERROR(
      ValidateDeliveryAddress(updated.type, updated.delivery_address, "deliveryAddress"));
  updated.meta = NextMeta(txn, who, current.meta);
  updated.contact_id = current.contact_id;
  updated.activation_status = current.activation_status;
  const bool readdressed = updated.delivery_address != current.delivery_address;
  if (readdressed) updated.activation_status = ActivationStatus::kNotActivated;
  TOCSIN_RETURN_IF_ERROR(txn.Channels().Update(updated, {}));
  if (readdressed) TOCSIN_RETURN_IF_ERROR(IssueCode(txn, updated));
  return updated;
}

Status ContactService::DeleteChannel(store::WriteTxn& txn, const Principal& who,
                                     std::string_view id) {
  auto channel = txn.Channels().Get(id);
  if (!channel.ok()) return channel.status();
  auto owner = txn.Contacts().Get(channel->contact_id);
  if (!owner.ok()) return owner.status();
  // The owner's own plan may name the channel; drop those targets so the
  // channel can go (a stage left without targets keeps its duration).
  Contact updated = *owner;
  bool changed = false;
  for (auto& stage : updated.stages) {
    const auto before = stage.targets.size();
    std::erase_if(stage.targets,
                  [&](const StageTarget& t) { return t.channel_id == channel->meta.id; });
    changed |= stage.targets.size() != before;
  }
  std::erase_if(updated.stages,
                [](const Stage& s) { return s.targets.empty() && s.duration_minutes == 0; });
  if (changed) {
    updated.meta = NextMeta(txn, who, owner->meta);
    TOCSIN_RETURN_IF_ERROR(txn.Contacts().Update(updated, RefsOf(updated)));
  }
  return txn.Channels().Delete(channel->meta.id);
}

Result<Channel> ContactService::Activate(store::WriteTxn& txn, const Principal& who,
                                         std::string_view id, std::string_view code) {
  if (code.size() < 6 || code.size() > 10 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument("code must be 6 to 10 digits", "code");
  }
  auto channel = txn.Channels().Get(id);
  if (!channel.ok()) return channel.status();
  if (channel->activation_status == ActivationStatus::kActivated) return *channel;
  auto secret = txn.GetSecret(channel->meta.id, kActivationPurpose);
  if (!secret.ok()) {
    if (secret.status().code() != StatusCode::kNotFound) return secret.status();
    return FailedPrecondition(
        "no activation code is pending for this channel; request one with "
        "POST /api/v1/channels/" +
        channel->meta.id + "/send-activation-code");
  }
  if (secret->failed_attempts >= kMaxActivationAttempts) {
    return FailedPrecondition("activation is locked after " +
                              std::to_string(kMaxActivationAttempts) +
                              " wrong codes; request a new code");
  }
  if (txn.Now() >= secret->expires_at) {
    return FailedPrecondition("the activation code has expired; request a new code");
  }
  if (!crypto::ConstantTimeEqual(CodeHash(channel->meta.id, code), secret->hash)) {
    secret->failed_attempts += 1;
    TOCSIN_RETURN_IF_ERROR(txn.PutSecret(channel->meta.id, kActivationPurpose, *secret));
    txn.KeepChangesOnError();
    const int left = kMaxActivationAttempts - secret->failed_attempts;
    return InvalidArgument("activation code is wrong; " + std::to_string(left) +
                               (left == 1 ? " attempt" : " attempts") + " left",
                           "code");
  }
  Channel updated = *channel;
  updated.meta = NextMeta(txn, who, channel->meta);
  updated.activation_status = ActivationStatus::kActivated;
  TOCSIN_RETURN_IF_ERROR(txn.Channels().Update(updated, {}));
  TOCSIN_RETURN_IF_ERROR(txn.DeleteSecret(channel->meta.id, kActivationPurpose));
  return updated;
}

Result<Channel> ContactService::Deactivate(store::WriteTxn& txn, const Principal& who,
                                           std::string_view id) {
  auto channel = txn.Channels().Get(id);
  if (!channel.ok()) return channel.status();
  if (channel->activation_status == ActivationStatus::kNotActivated) return *channel;
  Channel updated = *channel;
  updated.meta = NextMeta(txn, who, channel->meta);
  updated.activation_status = ActivationStatus::kNotActivated;
  TOCSIN_RETURN_IF_ERROR(txn.Channels().Update(updated, {}));
  return updated;
}

Result<Channel> ContactService::SendActivationCode(store::WriteTxn& txn, const Principal&,
                                                   std::string_view id) {
  auto channel = txn.Channels().Get(id);
  if (!channel.ok()) return channel.status();
  if (channel->activation_status == ActivationStatus::kActivated) {
    return FailedPrecondition("channel is already activated");
  }
  TOCSIN_RETURN_IF_ERROR(IssueCode(txn, *channel));
  return *channel;
}

}  // namespace tocsin::domain
