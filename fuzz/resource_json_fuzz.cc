// Fuzz target: the JSON codecs of every configuration resource
// (include/tocsin/codec/resources.h) behind the strict ObjectReader
// (include/tocsin/codec/json_reader.h), as the REST API decodes request bodies
// and the store decodes its documents.
//
// Input: byte 0 selects the resource kind and the form (spec as a POST body,
// or the stored document); the rest is the JSON text.
//
// Asserts, beyond memory safety:
//  - decode errors are kInvalidArgument;
//  - a body that decodes re-encodes to JSON that decodes again, and encoding
//    is then a fixed point: encode(decode(encode(v))) == encode(v) (spec and
//    stored forms alike), so nothing a client can write is lost or changed by
//    a store round trip;
//  - the public form of a decoded value can be rendered and serialised.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "fuzz_check.h"
#include "tocsin/codec/json_reader.h"
#include "tocsin/codec/resources.h"

namespace {

using tocsin::Status;
using tocsin::StatusCode;
using tocsin::codec::DecodeErrors;
using tocsin::codec::Dump;
using tocsin::codec::Json;
using tocsin::codec::ObjectReader;
using tocsin::codec::ParseJson;
using tocsin::fuzz::Check;
namespace codec = tocsin::codec;
namespace domain = tocsin::domain;

// Decodes `json` as a spec with `read`, as the API does (root reader, Finish).
template <typename T>
Status DecodeSpec(const Json& json, T& value, const std::function<void(ObjectReader&, T&)>& read) {
  DecodeErrors errors;
  ObjectReader reader(json, "", errors);
  read(reader, value);
  return reader.Finish();
}

// Checks the round trip of one spec decoder: `make` gives a fresh value (with
// whatever the decoder expects preset), `read` decodes, `write` encodes.
template <typename T>
void SpecRoundTrip(const Json& input, const std::function<T()>& make,
                   const std::function<void(ObjectReader&, T&)>& read,
                   const std::function<Json(const T&)>& write,
                   const std::function<Json(const T&)>& render_public) {
  T first = make();
  const Status s = DecodeSpec(input, first, read);
  if (!s.ok()) {
    Check(s.code() == StatusCode::kInvalidArgument, "spec decode errors are kInvalidArgument");
    return;
  }
  const Json encoded = write(first);
  auto reparsed = ParseJson(Dump(encoded));
  Check(reparsed.ok(), "an encoded spec is valid JSON");
  T second = make();
  const Status s2 = DecodeSpec(*reparsed, second, read);
  Check(s2.ok(), "an encoded spec decodes again");
  Check(write(second) == encoded, "spec encoding is a fixed point");
  if (render_public) (void)Dump(render_public(first));
}

// The same for a stored-document decoder.
template <typename T>
void StoredRoundTrip(const Json& input, const std::function<T()>& make,
                     const std::function<Status(const Json&, T&)>& read,
                     const std::function<Json(const T&)>& write,
                     const std::function<Json(const T&)>& render_public) {
  T first = make();
  const Status s = read(input, first);
  if (!s.ok()) {
    Check(s.code() == StatusCode::kInvalidArgument, "stored decode errors are kInvalidArgument");
    return;
  }
  const Json encoded = write(first);
  auto reparsed = ParseJson(Dump(encoded));
  Check(reparsed.ok(), "an encoded document is valid JSON");
  T second = make();
  Check(read(*reparsed, second).ok(), "an encoded document decodes again");
  Check(write(second) == encoded, "stored encoding is a fixed point");
  if (render_public) (void)Dump(render_public(first));
}

template <typename T>
T Default() {
  return T{};
}

domain::Contact ContactOf(domain::ContactType type) {
  domain::Contact c;
  c.type = type;
  return c;
}

// Encodes rotation fields (no name), for RotationFieldsFromReader.
Json RotationFieldsToJson(const domain::RotationSpec& spec) {
  domain::Rotation rotation;
  rotation.spec = spec;
  Json json = codec::RotationSpecToJson(rotation);
  json.erase("name");
  return json;
}

// Encodes an override spec as its stored form minus rotationId.
Json OverrideSpecToJson(const domain::OverrideSpec& spec) {
  domain::RotationOverride value;
  value.spec = spec;
  Json json = codec::OverrideToStored(value);
  json.erase("rotationId");
  return json;
}

constexpr int kKinds = 19;

void Run(int kind, const Json& in) {
  using domain::ContactType;
  switch (kind) {
    case 0:
    case 1:
    case 2: {
      const ContactType type = kind == 0   ? ContactType::kPersonal
                               : kind == 1 ? ContactType::kEscalation
                                           : ContactType::kOncallSchedule;
      SpecRoundTrip<domain::Contact>(
          in, [type] { return ContactOf(type); }, codec::ContactSpecFromReader,
          codec::ContactSpecToJson, codec::ContactToPublic);
      return;
    }
    case 3:
      StoredRoundTrip<domain::Contact>(in, Default<domain::Contact>, codec::ContactFromStored,
                                       codec::ContactToStored, codec::ContactToPublic);
      return;
    case 4:
      SpecRoundTrip<domain::Channel>(in, Default<domain::Channel>, codec::ChannelSpecFromReader,
                                     codec::ChannelSpecToJson, codec::ChannelToPublic);
      return;
    case 5:
      StoredRoundTrip<domain::Channel>(in, Default<domain::Channel>, codec::ChannelFromStored,
                                       codec::ChannelToStored, codec::ChannelToPublic);
      return;
    case 6:
      SpecRoundTrip<domain::Rotation>(in, Default<domain::Rotation>, codec::RotationSpecFromReader,
                                      codec::RotationSpecToJson, codec::RotationToPublic);
      return;
    case 7:
      StoredRoundTrip<domain::Rotation>(in, Default<domain::Rotation>, codec::RotationFromStored,
                                        codec::RotationToStored, codec::RotationToPublic);
      return;
    case 8:
      SpecRoundTrip<domain::RotationSpec>(in, Default<domain::RotationSpec>,
                                          codec::RotationFieldsFromReader, RotationFieldsToJson,
                                          nullptr);
      return;
    case 9:
      SpecRoundTrip<domain::OverrideSpec>(in, Default<domain::OverrideSpec>,
                                          codec::OverrideSpecFromReader, OverrideSpecToJson,
                                          nullptr);
      return;
    case 10:
      StoredRoundTrip<domain::RotationOverride>(in, Default<domain::RotationOverride>,
                                                codec::OverrideFromStored, codec::OverrideToStored,
                                                codec::OverrideToPublic);
      return;
    case 11:
      SpecRoundTrip<domain::ResponsePlan>(
          in, Default<domain::ResponsePlan>, codec::ResponsePlanSpecFromReader,
          codec::ResponsePlanSpecToJson, codec::ResponsePlanToPublic);
      return;
    case 12:
      StoredRoundTrip<domain::ResponsePlan>(
          in, Default<domain::ResponsePlan>, codec::ResponsePlanFromStored,
          codec::ResponsePlanToStored, codec::ResponsePlanToPublic);
      return;
    case 13:
      SpecRoundTrip<domain::NotificationTarget>(
          in, Default<domain::NotificationTarget>, codec::NotificationTargetSpecFromReader,
          codec::NotificationTargetSpecToJson, codec::NotificationTargetToPublic);
      return;
    case 14:
      SpecRoundTrip<domain::ChatChannel>(in, Default<domain::ChatChannel>,
                                         codec::ChatChannelSpecFromReader,
                                         codec::ChatChannelSpecToJson, codec::ChatChannelToPublic);
      return;
    case 15:
      SpecRoundTrip<domain::Integration>(in, Default<domain::Integration>,
                                         codec::IntegrationSpecFromReader,
                                         codec::IntegrationSpecToJson, codec::IntegrationToPublic);
      return;
    case 16:
      StoredRoundTrip<domain::Integration>(in, Default<domain::Integration>,
                                           codec::IntegrationFromStored, codec::IntegrationToStored,
                                           codec::IntegrationToPublic);
      return;
    case 17:
      SpecRoundTrip<domain::Rule>(in, Default<domain::Rule>, codec::RuleSpecFromReader,
                                  codec::RuleSpecToJson, codec::RuleToPublic);
      return;
    default:
      StoredRoundTrip<domain::Rule>(in, Default<domain::Rule>, codec::RuleFromStored,
                                    codec::RuleToStored, codec::RuleToPublic);
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % kKinds;
  auto json = ParseJson(tocsin::fuzz::AsText(data + 1, size - 1));
  if (!json.ok()) {
    Check(json.status().code() == StatusCode::kInvalidArgument,
          "ParseJson errors are kInvalidArgument");
    return 0;
  }
  // Merge Patch onto itself (what PATCH does) must not crash either.
  Json patched = *json;
  codec::MergePatch(patched, *json);
  Run(kind, *json);
  return 0;
}
