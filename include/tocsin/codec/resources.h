// JSON forms of the configuration resources, shared by the REST API and the
// store (documents are stored in the same shape clients see, without meta).
//
// Each resource has three forms:
//  * spec   — the fields a client may write (POST body, the base a PATCH is
//             merged onto). *SpecFromJson decoders are strict: unknown fields,
//             wrong JSON types and over-long strings or lists are errors with
//             a field path.
//  * stored — spec plus server-owned fields (a contact's type, a channel's
//             activation status). Used only by the store.
//  * public — what the API returns: stored minus secrets (the api module adds
//             id, version, timestamps and the ARN).
//
// Division of rules: this module checks JSON shape, string lengths and list
// sizes (cheap bounds that also cap memory); the domain services check value
// ranges, patterns, cross-field rules and references.
#pragma once

#include "tocsin/codec/json_reader.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/integration.h"
#include "tocsin/domain/plans.h"
#include "tocsin/domain/rotation.h"

namespace tocsin::codec {

// Contacts. The spec depends on the type: PERSONAL {alias, displayName, plan:
// {stages}, tags}; ESCALATION {alias, displayName, repeatCount, stages, tags};
// ONCALL_SCHEDULE {alias, displayName, rotations, tags}.
Json ContactSpecToJson(const domain::Contact& contact);
void ContactSpecFromReader(ObjectReader& reader, domain::Contact& contact);  // Uses contact.type.
Json ContactToStored(const domain::Contact& contact);
Status ContactFromStored(const Json& json, domain::Contact& contact);
Json ContactToPublic(const domain::Contact& contact);

// Channels: spec {name, type, deliveryAddress}; stored adds contactId and activationStatus.
Json ChannelSpecToJson(const domain::Channel& channel);
void ChannelSpecFromReader(ObjectReader& reader, domain::Channel& channel);
Json ChannelToStored(const domain::Channel& channel);
Status ChannelFromStored(const Json& json, domain::Channel& channel);
Json ChannelToPublic(const domain::Channel& channel);

// Rotations: spec {name, members, startTime, timeZoneId, recurrence}.
Json RotationSpecToJson(const domain::Rotation& rotation);
void RotationSpecFromReader(ObjectReader& reader, domain::Rotation& rotation);
// The same without "name", for previews: {members, startTime, timeZoneId, recurrence}.
void RotationFieldsFromReader(ObjectReader& reader, domain::RotationSpec& spec);
Json RotationToStored(const domain::Rotation& rotation);
Status RotationFromStored(const Json& json, domain::Rotation& rotation);
Json RotationToPublic(const domain::Rotation& rotation);
Json RecurrenceToJson(const domain::Recurrence& recurrence);

// Rotation overrides: spec {members, startTime, endTime}; stored adds rotationId.
void OverrideSpecFromReader(ObjectReader& reader, domain::OverrideSpec& spec);
Json OverrideToStored(const domain::RotationOverride& value);
Status OverrideFromStored(const Json& json, domain::RotationOverride& value);
Json OverrideToPublic(const domain::RotationOverride& value);

// Shifts as the API lists them.
Json ShiftToJson(const domain::Shift& shift);

// Response plans: spec {name, displayName, incidentTemplate, chatChannels,
// engagements, actions, tags}.
Json ResponsePlanSpecToJson(const domain::ResponsePlan& plan);
void ResponsePlanSpecFromReader(ObjectReader& reader, domain::ResponsePlan& plan);
Json ResponsePlanToStored(const domain::ResponsePlan& plan);
Status ResponsePlanFromStored(const Json& json, domain::ResponsePlan& plan);
Json ResponsePlanToPublic(const domain::ResponsePlan& plan);

// Notification targets: spec {name, url, secret}; public omits the secret and
// says whether one is set ("hasSecret").
Json NotificationTargetSpecToJson(const domain::NotificationTarget& target);
void NotificationTargetSpecFromReader(ObjectReader& reader, domain::NotificationTarget& target);
Json NotificationTargetToStored(const domain::NotificationTarget& target);
Status NotificationTargetFromStored(const Json& json, domain::NotificationTarget& target);
Json NotificationTargetToPublic(const domain::NotificationTarget& target);

// Chat channels: spec {name, type, url}.
Json ChatChannelSpecToJson(const domain::ChatChannel& channel);
void ChatChannelSpecFromReader(ObjectReader& reader, domain::ChatChannel& channel);
Json ChatChannelToStored(const domain::ChatChannel& channel);
Status ChatChannelFromStored(const Json& json, domain::ChatChannel& channel);
Json ChatChannelToPublic(const domain::ChatChannel& channel);

// Integrations: spec {name, type, responsePlan, autoResolve, alertKey,
// heartbeatMinutes}; public adds keyPrefix (the key itself is never stored).
Json IntegrationSpecToJson(const domain::Integration& integration);
void IntegrationSpecFromReader(ObjectReader& reader, domain::Integration& integration);
Json IntegrationToStored(const domain::Integration& integration);
Status IntegrationFromStored(const Json& json, domain::Integration& integration);
Json IntegrationToPublic(const domain::Integration& integration);

// Rules: spec {name, pattern, action {type, responsePlan, impact, title},
// priority, enabled}. `pattern` is read as a JSON object or a string holding
// one and kept as text (so a PATCH replaces it whole); the public form shows
// it as an object.
Json RuleSpecToJson(const domain::Rule& rule);
void RuleSpecFromReader(ObjectReader& reader, domain::Rule& rule);
Json RuleToStored(const domain::Rule& rule);
Status RuleFromStored(const Json& json, domain::Rule& rule);
Json RuleToPublic(const domain::Rule& rule);

}  // namespace tocsin::codec
