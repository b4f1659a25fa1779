// ResourceTraits specializations: how each resource type maps onto the
// generic `resources` table.
#include "store/traits.h"

#include "tocsin/codec/resources.h"

namespace tocsin::store {

using codec::Json;

const KindSet& ResourceTraits<domain::Contact>::Kinds() {
  static const KindSet set{{"contact", "escalation-plan", "oncall-schedule"}, "contact", "alias"};
  return set;
}
const char* ResourceTraits<domain::Contact>::Kind(const domain::Contact& c) {
  switch (c.type) {
    case domain::ContactType::kPersonal:
      return "contact";
    case domain::ContactType::kEscalation:
      return "escalation-plan";
    case domain::ContactType::kOncallSchedule:
      return "oncall-schedule";
  }
  return "contact";
}
std::string ResourceTraits<domain::Contact>::Name(const domain::Contact& c) { return c.alias; }
std::string ResourceTraits<domain::Contact>::Parent(const domain::Contact&) { return {}; }
Json ResourceTraits<domain::Contact>::Encode(const domain::Contact& c) {
  return codec::ContactToStored(c);
}
Status ResourceTraits<domain::Contact>::Decode(const Json& j, domain::Contact& c) {
  return codec::ContactFromStored(j, c);
}

const KindSet& ResourceTraits<domain::Channel>::Kinds() {
  static const KindSet set{{"channel"}, nullptr, "name"};
  return set;
}
const char* ResourceTraits<domain::Channel>::Kind(const domain::Channel&) { return "channel"; }
std::string ResourceTraits<domain::Channel>::Name(const domain::Channel&) { return {}; }
std::string ResourceTraits<domain::Channel>::Parent(const domain::Channel& c) {
  return c.contact_id;
}
Json ResourceTraits<domain::Channel>::Encode(const domain::Channel& c) {
  return codec::ChannelToStored(c);
}
Status ResourceTraits<domain::Channel>::Decode(const Json& j, domain::Channel& c) {
  return codec::ChannelFromStored(j, c);
}

const KindSet& ResourceTraits<domain::Rotation>::Kinds() {
  static const KindSet set{{"rotation"}, "rotation", "name"};
  return set;
}
const char* ResourceTraits<domain::Rotation>::Kind(const domain::Rotation&) { return "rotation"; }
std::string ResourceTraits<domain::Rotation>::Name(const domain::Rotation& r) { return r.name; }
std::string ResourceTraits<domain::Rotation>::Parent(const domain::Rotation&) { return {}; }
Json ResourceTraits<domain::Rotation>::Encode(const domain::Rotation& r) {
  return codec::RotationToStored(r);
}
Status ResourceTraits<domain::Rotation>::Decode(const Json& j, domain::Rotation& r) {
  return codec::RotationFromStored(j, r);
}

const KindSet& ResourceTraits<domain::RotationOverride>::Kinds() {
  static const KindSet set{{"rotation-override"}, nullptr, "name"};
  return set;
}
const char* ResourceTraits<domain::RotationOverride>::Kind(const domain::RotationOverride&) {
  return "rotation-override";
}
std::string ResourceTraits<domain::RotationOverride>::Name(const domain::RotationOverride&) {
  return {};
}
std::string ResourceTraits<domain::RotationOverride>::Parent(const domain::RotationOverride& o) {
  return o.rotation_id;
}
Json ResourceTraits<domain::RotationOverride>::Encode(const domain::RotationOverride& o) {
  return codec::OverrideToStored(o);
}
Status ResourceTraits<domain::RotationOverride>::Decode(const Json& j,
                                                        domain::RotationOverride& o) {
  return codec::OverrideFromStored(j, o);
}

const KindSet& ResourceTraits<domain::ResponsePlan>::Kinds() {
  static const KindSet set{{"response-plan"}, "response-plan", "name"};
  return set;
}
const char* ResourceTraits<domain::ResponsePlan>::Kind(const domain::ResponsePlan&) {
  return "response-plan";
}
std::string ResourceTraits<domain::ResponsePlan>::Name(const domain::ResponsePlan& p) {
  return p.name;
}
std::string ResourceTraits<domain::ResponsePlan>::Parent(const domain::ResponsePlan&) { return {}; }
Json ResourceTraits<domain::ResponsePlan>::Encode(const domain::ResponsePlan& p) {
  return codec::ResponsePlanToStored(p);
}
Status ResourceTraits<domain::ResponsePlan>::Decode(const Json& j, domain::ResponsePlan& p) {
  return codec::ResponsePlanFromStored(j, p);
}

const KindSet& ResourceTraits<domain::NotificationTarget>::Kinds() {
  static const KindSet set{{"notification-target"}, "notification-target", "name"};
  return set;
}
const char* ResourceTraits<domain::NotificationTarget>::Kind(const domain::NotificationTarget&) {
  return "notification-target";
}
std::string ResourceTraits<domain::NotificationTarget>::Name(const domain::NotificationTarget& t) {
  return t.name;
}
std::string ResourceTraits<domain::NotificationTarget>::Parent(const domain::NotificationTarget&) {
  return {};
}
Json ResourceTraits<domain::NotificationTarget>::Encode(const domain::NotificationTarget& t) {
  return codec::NotificationTargetToStored(t);
}
Status ResourceTraits<domain::NotificationTarget>::Decode(const Json& j,
                                                          domain::NotificationTarget& t) {
  return codec::NotificationTargetFromStored(j, t);
}

const KindSet& ResourceTraits<domain::ChatChannel>::Kinds() {
  static const KindSet set{{"chat-channel"}, "chat-channel", "name"};
  return set;
}
const char* ResourceTraits<domain::ChatChannel>::Kind(const domain::ChatChannel&) {
  return "chat-channel";
}
std::string ResourceTraits<domain::ChatChannel>::Name(const domain::ChatChannel& c) {
  return c.name;
}
std::string ResourceTraits<domain::ChatChannel>::Parent(const domain::ChatChannel&) { return {}; }
Json ResourceTraits<domain::ChatChannel>::Encode(const domain::ChatChannel& c) {
  return codec::ChatChannelToStored(c);
}
Status ResourceTraits<domain::ChatChannel>::Decode(const Json& j, domain::ChatChannel& c) {
  return codec::ChatChannelFromStored(j, c);
}

const KindSet& ResourceTraits<domain::Integration>::Kinds() {
  static const KindSet set{{"integration"}, "integration", "name"};
  return set;
}
const char* ResourceTraits<domain::Integration>::Kind(const domain::Integration&) {
  return "integration";
}
std::string ResourceTraits<domain::Integration>::Name(const domain::Integration& v) {
  return v.name;
}
std::string ResourceTraits<domain::Integration>::Parent(const domain::Integration&) { return {}; }
Json ResourceTraits<domain::Integration>::Encode(const domain::Integration& v) {
  return codec::IntegrationToStored(v);
}
Status ResourceTraits<domain::Integration>::Decode(const Json& j, domain::Integration& v) {
  return codec::IntegrationFromStored(j, v);
}

const KindSet& ResourceTraits<domain::Rule>::Kinds() {
  static const KindSet set{{"rule"}, "rule", "name"};
  return set;
}
const char* ResourceTraits<domain::Rule>::Kind(const domain::Rule&) { return "rule"; }
std::string ResourceTraits<domain::Rule>::Name(const domain::Rule& v) { return v.name; }
std::string ResourceTraits<domain::Rule>::Parent(const domain::Rule&) { return {}; }
Json ResourceTraits<domain::Rule>::Encode(const domain::Rule& v) { return codec::RuleToStored(v); }
Status ResourceTraits<domain::Rule>::Decode(const Json& j, domain::Rule& v) {
  return codec::RuleFromStored(j, v);
}

}  // namespace tocsin::store
