#include "tocsin/domain/plan_service.h"

#include <algorithm>
#include <set>

#include "tocsin/core/ids.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/resource_meta.h"

namespace tocsin::domain {
namespace {

std::string Indexed(const std::string& field, size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

// Resolves each reference in `refs` with `get` (id or name → id), reporting
// missing ones at "<field>[i]" and rejecting repeats.
template <typename Getter>
Status ResolveAll(std::vector<std::string>& refs, const std::string& field, const char* noun,
                  Getter get) {
  std::set<std::string> seen;
  for (size_t i = 0; i < refs.size(); ++i) {
    auto id = get(refs[i]);
    if (!id.ok()) {
      if (id.status().code() != StatusCode::kNotFound) return id.status();
      return InvalidArgument(std::string(noun) + " \"" + refs[i] + "\" does not exist",
                             Indexed(field, i));
    }
    if (!seen.insert(*id).second) {
      return InvalidArgument(std::string(noun) + " \"" + refs[i] + "\" is listed twice",
                             Indexed(field, i));
    }
    refs[i] = *id;
  }
  return Status::Ok();
}

Result<std::string> RunbookNameCheck(std::string_view name) {
  if (name.size() < 3 || name.size() > 128) return InvalidArgument("");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ':' || c == '/')) {
      return InvalidArgument("");
    }
  }
  return std::string(name);
}

}  // namespace

Status ValidateHttpUrl(std::string_view url, const std::string& field) {
  // http(s)://host[:port][/path][?query][#fragment]; host is a DNS name, an
  // IPv4 address or a bracketed IPv6 literal. Where the URL may point (no
  // private addresses, ...) is checked when it is called, not here.
  const auto bad = [&](const std::string& why) {
    return InvalidArgument(field + " " + why, field);
  };
  if (url.size() > 2048) return bad("must be at most 2048 characters");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("must not contain spaces or control characters");
  }
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return bad("must be an absolute http:// or https:// URL");
  }
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return bad("must not contain user:password@; use the secret field");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return bad("has a malformed IPv6 address");
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return bad("has a malformed IPv6 address");
    }
    const auto after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("has a malformed host");
    if (!after.empty()) port = after.substr(1);
    host = host.substr(0, close + 1);
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty() || host.size() > 253) return bad("must name a host");
    size_t start = 0;
    while (start <= host.size()) {
      auto dot = host.find('.', start);
      if (dot == std::string_view::npos) dot = host.size();
      const auto label = host.substr(start, dot - start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return bad("has a malformed host name");
      }
      for (char c : label) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
          return bad("has a malformed host name");
      }
      start = dot + 1;
    }
  }
  if (authority.find(':') != std::string_view::npos && host.front() != '[' && port.empty()) {
    return bad("has an empty port");
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      return bad("has an invalid port");
    }
  }
  return Status::Ok();
}

Status ValidateRotationName(std::string_view name, const std::string& field) {
  if (name.empty() || name.size() > 255) {
    return InvalidArgument(field + " must be 1 to 255 characters", field);
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ' ')) {
      return InvalidArgument(field + " may contain only letters, digits, spaces, '_', '-' and '.'",
                             field);
    }
  }
  return Status::Ok();
}

// --- Rotations ---------------------------------------------------------------

Status PlanService::ResolveMembers(store::ReadTxn& txn, std::vector<std::string>& members,
                                   const std::string& field) {
  for (size_t i = 0; i < members.size(); ++i) {
    auto contact = txn.Contacts().Get(members[i]);
    if (!contact.ok() && contact.status().code() != StatusCode::kNotFound) return contact.status();
    if (!contact.ok() || contact->type != ContactType::kPersonal) {
      return InvalidArgument("\"" + members[i] + "\" is not a personal contact", Indexed(field, i));
    }
    members[i] = contact->meta.id;
  }
  return Status::Ok();
}

Result<Rotation> PlanService::CreateRotation(store::WriteTxn& txn, const Principal& who,
                                             Rotation spec) {
  TOCSIN_RETURN_IF_ERROR(ValidateRotationName(spec.name, "name"));
  TOCSIN_RETURN_IF_ERROR(ResolveMembers(txn, spec.spec.members, "members"));
  TOCSIN_RETURN_IF_ERROR(ValidateRotationSpec(spec.spec));
  spec.meta = NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(txn.Rotations().Insert(spec, spec.spec.members));
  return spec;
}

Result<Rotation> PlanService::UpdateRotation(store::WriteTxn& txn, const Principal& who,
                                             const Rotation& current, Rotation updated,
                                             std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, "rotation"));
  TOCSIN_RETURN_IF_ERROR(ValidateRotationName(updated.name, "name"));
  TOCSIN_RETURN_IF_ERROR(ResolveMembers(txn, updated.spec.members, "members"));
  TOCSIN_RETURN_IF_ERROR(ValidateRotationSpec(updated.spec));
  updated.meta = NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(txn.Rotations().Update(updated, updated.spec.members));
  return updated;
}

Status PlanService::DeleteRotation(store::WriteTxn& txn, std::string_view id_or_name) {
  auto rotation = txn.Rotations().Get(id_or_name);
  if (!rotation.ok()) return rotation.status();
  return txn.Rotations().Delete(rotation->meta.id);
}

Result<std::vector<OverrideSpec>> PlanService::OverrideSpecs(store::ReadTxn& txn,
                                                             const std::string& rotation_id) {
  std::vector<OverrideSpec> out;
  store::ListOptions options;
  options.parent_id = rotation_id;
  options.limit = 100;
  for (;;) {
    auto page = txn.RotationOverrides().List(options);
    if (!page.ok()) return page.status();
    for (const auto& o : page->items) out.push_back(o.spec);
    if (page->next_cursor.empty()) break;
    options.cursor = page->next_cursor;
  }
  std::sort(out.begin(), out.end(), [](const OverrideSpec& a, const OverrideSpec& b) {
    return a.start_time < b.start_time;
  });
  return out;
}

Result<RotationOverride> PlanService::CreateOverride(store::WriteTxn& txn, const Principal& who,
                                                     std::string_view rotation_ref,
                                                     OverrideSpec spec) {
  auto rotation = txn.Rotations().Get(rotation_ref);
  if (!rotation.ok()) return rotation.status();
  if (spec.members.size() > 30)
    return InvalidArgument("members must list at most 30 contacts", "members");
  TOCSIN_RETURN_IF_ERROR(ResolveMembers(txn, spec.members, "members"));
  std::set<std::string> unique(spec.members.begin(), spec.members.end());
  if (unique.size() != spec.members.size()) {
    return InvalidArgument("members must not repeat a contact", "members");
  }
  if (spec.end_time <= spec.start_time) {
    return InvalidArgument("endTime must be after startTime", "endTime");
  }
  auto existing = OverrideSpecs(txn, rotation->meta.id);
  if (!existing.ok()) return existing.status();
  if (existing->size() >= kMaxOverridesPerRotation) {
    return FailedPrecondition("a rotation has at most 500 overrides; delete old ones first");
  }
  for (const auto& other : *existing) {
    if (spec.start_time < other.end_time && other.start_time < spec.end_time) {
      return InvalidArgument("overlaps the override from " + FormatRfc3339(other.start_time) +
                                 " to " + FormatRfc3339(other.end_time),
                             "startTime");
    }
  }
  RotationOverride value;
  value.meta = NewMeta(txn, who);
  value.rotation_id = rotation->meta.id;
  value.spec = std::move(spec);
  TOCSIN_RETURN_IF_ERROR(txn.RotationOverrides().Insert(value, value.spec.members));
  return value;
}

Status PlanService::DeleteOverride(store::WriteTxn& txn, std::string_view rotation_ref,
                                   std::string_view override_id) {
  auto rotation = txn.Rotations().Get(rotation_ref);
  if (!rotation.ok()) return rotation.status();
  auto value = txn.RotationOverrides().Get(override_id);
  if (!value.ok() || value->rotation_id != rotation->meta.id) {
    return NotFound("override \"" + std::string(override_id) + "\" not found on this rotation");
  }
  return txn.RotationOverrides().Delete(value->meta.id);
}

Result<std::vector<RotationOverride>> PlanService::ListOverrides(store::ReadTxn& txn,
                                                                 std::string_view rotation_ref,
                                                                 std::optional<TimePoint> from,
                                                                 std::optional<TimePoint> to) {
  auto rotation = txn.Rotations().Get(rotation_ref);
  if (!rotation.ok()) return rotation.status();
  std::vector<RotationOverride> out;
  store::ListOptions options;
  options.parent_id = rotation->meta.id;
  options.limit = 100;
  for (;;) {
    auto page = txn.RotationOverrides().List(options);
    if (!page.ok()) return page.status();
    for (auto& o : page->items) {
      if (from && o.spec.end_time <= *from) continue;
      if (to && o.spec.start_time >= *to) continue;
      out.push_back(std::move(o));
    }
    if (page->next_cursor.empty()) break;
    options.cursor = page->next_cursor;
  }
  std::sort(out.begin(), out.end(), [](const RotationOverride& a, const RotationOverride& b) {
    return a.spec.start_time < b.spec.start_time;
  });
  return out;
}

Result<RotationShifts> PlanService::Shifts(store::ReadTxn& txn, std::string_view rotation_ref,
                                           TimePoint from, TimePoint to) {
  if (to <= from) return InvalidArgument("to must be after from", "to");
  if (to - from > kMaxShiftWindow)
    return InvalidArgument("the window may span at most 366 days", "to");
  auto rotation = txn.Rotations().Get(rotation_ref);
  if (!rotation.ok()) return rotation.status();
  auto overrides = OverrideSpecs(txn, rotation->meta.id);
  if (!overrides.ok()) return overrides.status();
  auto shifts = ComputeShifts(rotation->spec, *overrides, from, to);
  if (!shifts.ok()) return Status(shifts.status()).WithField("to");
  return RotationShifts{std::move(*rotation), std::move(*shifts)};
}

Result<std::vector<std::string>> PlanService::OnCall(store::ReadTxn& txn,
                                                     std::string_view rotation_ref, TimePoint at) {
  auto rotation = txn.Rotations().Get(rotation_ref);
  if (!rotation.ok()) return rotation.status();
  auto overrides = OverrideSpecs(txn, rotation->meta.id);
  if (!overrides.ok()) return overrides.status();
  return OnCallAt(rotation->spec, *overrides, at);
}

Result<std::vector<std::string>> PlanService::ScheduleOnCall(store::ReadTxn& txn,
                                                             std::string_view schedule_ref,
                                                             TimePoint at) {
  auto schedule = txn.Contacts().Get(schedule_ref);
  if (!schedule.ok() || schedule->type != ContactType::kOncallSchedule) {
    if (!schedule.ok() && schedule.status().code() != StatusCode::kNotFound)
      return schedule.status();
    return NotFound("on-call schedule \"" + std::string(schedule_ref) + "\" not found");
  }
  std::vector<std::string> out;
  for (const auto& rotation_id : schedule->rotation_ids) {
    auto members = OnCall(txn, rotation_id, at);
    if (!members.ok()) return members.status();
    for (auto& m : *members) {
      if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(std::move(m));
    }
  }
  return out;
}

// --- Response plans ----------------------------------------------------------

Status PlanService::ResolveResponsePlan(store::WriteTxn& txn, ResponsePlan& plan) {
  TOCSIN_RETURN_IF_ERROR(ValidateName(plan.name, 200, "name"));
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(plan.display_name, "displayName"));
  auto& t = plan.incident_template;
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(t.title, "incidentTemplate.title"));
  if (t.impact < 1 || t.impact > 5) {
    return InvalidArgument("impact must be between 1 (critical) and 5 (no impact)",
                           "incidentTemplate.impact");
  }
  TOCSIN_RETURN_IF_ERROR(ValidateTags(t.incident_tags, "incidentTemplate.incidentTags"));
  TOCSIN_RETURN_IF_ERROR(ValidateTags(plan.tags, "tags"));
  TOCSIN_RETURN_IF_ERROR(ResolveAll(t.notification_target_ids,
                                    "incidentTemplate.notificationTargets", "notification target",
                                    [&](const std::string& ref) -> Result<std::string> {
                                      auto v = txn.NotificationTargets().Get(ref);
                                      if (!v.ok()) return v.status();
                                      return v->meta.id;
                                    }));
  TOCSIN_RETURN_IF_ERROR(ResolveAll(plan.chat_channel_ids, "chatChannels", "chat channel",
                                    [&](const std::string& ref) -> Result<std::string> {
                                      auto v = txn.ChatChannels().Get(ref);
                                      if (!v.ok()) return v.status();
                                      return v->meta.id;
                                    }));
  TOCSIN_RETURN_IF_ERROR(ResolveAll(plan.engagement_ids, "engagements", "contact",
                                    [&](const std::string& ref) -> Result<std::string> {
                                      auto v = txn.Contacts().Get(ref);
                                      if (!v.ok()) return v.status();
                                      return v->meta.id;
                                    }));
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const auto& a = plan.actions[i];
    const std::string path = Indexed("actions", i);
    if (!RunbookNameCheck(a.document_name).ok()) {
      return InvalidArgument("runbook must be 3 to 128 characters of letters, digits and _-.:/",
                             path + ".runbook");
    }
  }
  return Status::Ok();
}

namespace {
std::vector<std::string> PlanRefs(const ResponsePlan& plan) {
  std::vector<std::string> refs = plan.engagement_ids;
  refs.insert(refs.end(), plan.chat_channel_ids.begin(), plan.chat_channel_ids.end());
  refs.insert(refs.end(), plan.incident_template.notification_target_ids.begin(),
              plan.incident_template.notification_target_ids.end());
  return refs;
}
}  // namespace

Result<ResponsePlan> PlanService::CreateResponsePlan(store::WriteTxn& txn, const Principal& who,
                                                     ResponsePlan spec) {
  TOCSIN_RETURN_IF_ERROR(ResolveResponsePlan(txn, spec));
  spec.meta = NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(txn.ResponsePlans().Insert(spec, PlanRefs(spec)));
  return spec;
}

Result<ResponsePlan> PlanService::UpdateResponsePlan(store::WriteTxn& txn, const Principal& who,
                                                     const ResponsePlan& current,
                                                     ResponsePlan updated,
                                                     std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, "response plan"));
  if (updated.name != current.name) {
    // The name is part of the plan's ARN and of its incidents' ARNs.
    return InvalidArgument("name cannot be changed; create a new response plan instead", "name");
  }
  TOCSIN_RETURN_IF_ERROR(ResolveResponsePlan(txn, updated));
  updated.meta = NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(txn.ResponsePlans().Update(updated, PlanRefs(updated)));
  return updated;
}

Status PlanService::DeleteResponsePlan(store::WriteTxn& txn, std::string_view id_or_name) {
  auto plan = txn.ResponsePlans().Get(id_or_name);
  if (!plan.ok()) return plan.status();
  return txn.ResponsePlans().Delete(plan->meta.id);
}

// --- Notification targets and chat channels -----------------------------------

namespace {

Status ValidateSecret(std::string_view secret) {
  for (char c : secret) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("secret must not contain control characters", "secret");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NotificationTarget> PlanService::CreateNotificationTarget(store::WriteTxn& txn,
                                                                 const Principal& who,
                                                                 NotificationTarget spec) {
  TOCSIN_RETURN_IF_ERROR(ValidateName(spec.name, 200, "name"));
  TOCSIN_RETURN_IF_ERROR(ValidateHttpUrl(spec.url, "url"));
  TOCSIN_RETURN_IF_ERROR(ValidateSecret(spec.secret));
  spec.meta = NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(txn.NotificationTargets().Insert(spec, {}));
  return spec;
}

Result<NotificationTarget> PlanService::UpdateNotificationTarget(
    store::WriteTxn& txn, const Principal& who, const NotificationTarget& current,
    NotificationTarget updated, std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, "notification target"));
  TOCSIN_RETURN_IF_ERROR(ValidateName(updated.name, 200, "name"));
  TOCSIN_RETURN_IF_ERROR(ValidateHttpUrl(updated.url, "url"));
  TOCSIN_RETURN_IF_ERROR(ValidateSecret(updated.secret));
  updated.meta = NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(txn.NotificationTargets().Update(updated, {}));
  return updated;
}

Status PlanService::DeleteNotificationTarget(store::WriteTxn& txn, std::string_view id_or_name) {
  auto target = txn.NotificationTargets().Get(id_or_name);
  if (!target.ok()) return target.status();
  return txn.NotificationTargets().Delete(target->meta.id);
}

Result<ChatChannel> PlanService::CreateChatChannel(store::WriteTxn& txn, const Principal& who,
                                                   ChatChannel spec) {
  TOCSIN_RETURN_IF_ERROR(ValidateName(spec.name, 200, "name"));
  TOCSIN_RETURN_IF_ERROR(ValidateHttpUrl(spec.url, "url"));
  spec.meta = NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(txn.ChatChannels().Insert(spec, {}));
  return spec;
}

Result<ChatChannel> PlanService::UpdateChatChannel(store::WriteTxn& txn, const Principal& who,
                                                   const ChatChannel& current, ChatChannel updated,
                                                   std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(CheckVersion(current.meta, expected_version, "chat channel"));
  TOCSIN_RETURN_IF_ERROR(ValidateName(updated.name, 200, "name"));
  TOCSIN_RETURN_IF_ERROR(ValidateHttpUrl(updated.url, "url"));
  updated.meta = NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(txn.ChatChannels().Update(updated, {}));
  return updated;
}

Status PlanService::DeleteChatChannel(store::WriteTxn& txn, std::string_view id_or_name) {
  auto channel = txn.ChatChannels().Get(id_or_name);
  if (!channel.ok()) return channel.status();
  return txn.ChatChannels().Delete(channel->meta.id);
}

}  // namespace tocsin::domain
