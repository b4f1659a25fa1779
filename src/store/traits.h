// ResourceTraits specializations, one per resource type (defined in traits.cc).
#pragma once

#include <string>

#include "store/repos.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/integration.h"
#include "tocsin/domain/plans.h"
#include "tocsin/domain/rotation.h"

namespace tocsin::store {

template <>
struct ResourceTraits<domain::Contact> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::Contact& value);
  static std::string Name(const domain::Contact& value);
  static std::string Parent(const domain::Contact& value);
  static codec::Json Encode(const domain::Contact& value);
  static Status Decode(const codec::Json& json, domain::Contact& value);
};

template <>
struct ResourceTraits<domain::Channel> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::Channel& value);
  static std::string Name(const domain::Channel& value);
  static std::string Parent(const domain::Channel& value);
  static codec::Json Encode(const domain::Channel& value);
  static Status Decode(const codec::Json& json, domain::Channel& value);
};

template <>
struct ResourceTraits<domain::Rotation> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::Rotation& value);
  static std::string Name(const domain::Rotation& value);
  static std::string Parent(const domain::Rotation& value);
  static codec::Json Encode(const domain::Rotation& value);
  static Status Decode(const codec::Json& json, domain::Rotation& value);
};

template <>
struct ResourceTraits<domain::RotationOverride> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::RotationOverride& value);
  static std::string Name(const domain::RotationOverride& value);
  static std::string Parent(const domain::RotationOverride& value);
  static codec::Json Encode(const domain::RotationOverride& value);
  static Status Decode(const codec::Json& json, domain::RotationOverride& value);
};

template <>
struct ResourceTraits<domain::ResponsePlan> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::ResponsePlan& value);
  static std::string Name(const domain::ResponsePlan& value);
  static std::string Parent(const domain::ResponsePlan& value);
  static codec::Json Encode(const domain::ResponsePlan& value);
  static Status Decode(const codec::Json& json, domain::ResponsePlan& value);
};

template <>
struct ResourceTraits<domain::NotificationTarget> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::NotificationTarget& value);
  static std::string Name(const domain::NotificationTarget& value);
  static std::string Parent(const domain::NotificationTarget& value);
  static codec::Json Encode(const domain::NotificationTarget& value);
  static Status Decode(const codec::Json& json, domain::NotificationTarget& value);
};

template <>
struct ResourceTraits<domain::ChatChannel> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::ChatChannel& value);
  static std::string Name(const domain::ChatChannel& value);
  static std::string Parent(const domain::ChatChannel& value);
  static codec::Json Encode(const domain::ChatChannel& value);
  static Status Decode(const codec::Json& json, domain::ChatChannel& value);
};

template <>
struct ResourceTraits<domain::Integration> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::Integration& value);
  static std::string Name(const domain::Integration& value);
  static std::string Parent(const domain::Integration& value);
  static codec::Json Encode(const domain::Integration& value);
  static Status Decode(const codec::Json& json, domain::Integration& value);
};

template <>
struct ResourceTraits<domain::Rule> {
  static const KindSet& Kinds();
  static const char* Kind(const domain::Rule& value);
  static std::string Name(const domain::Rule& value);
  static std::string Parent(const domain::Rule& value);
  static codec::Json Encode(const domain::Rule& value);
  static Status Decode(const codec::Json& json, domain::Rule& value);
};

}  // namespace tocsin::store
