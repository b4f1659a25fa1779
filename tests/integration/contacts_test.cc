// Contacts and channels over HTTP: every endpoint's happy path, validation,
// activation (codes come from the recording notifier), references, restarts.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

class ContactsTest : public ::testing::Test {
 protected:
  json CreateContact(const std::string& alias) {
    auto r =
        admin_.Post("/api/v1/contacts", {{"alias", alias}, {"displayName", alias + " person"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  json CreateChannel(const std::string& contact, const std::string& type,
                     const std::string& address, bool defer = false) {
    auto r = admin_.Post("/api/v1/contacts/" + contact + "/channels", {{"name", type + " channel"},
                                                                       {"type", type},
                                                                       {"deliveryAddress", address},
                                                                       {"deferActivation", defer}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  void ExpectFieldError(const HttpResult& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json()["error"].value("field", ""), field) << r.body;
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

TEST_F(ContactsTest, CreateGetListUpdateDelete) {
  json alice = CreateContact("alice");
  EXPECT_EQ(alice["alias"], "alice");
  EXPECT_EQ(alice["type"], "PERSONAL");
  EXPECT_EQ(alice["version"], 1);
  EXPECT_EQ(alice["arn"], "arn:aws:ssm-contacts:us-east-1:000000000000:contact/alice");
  EXPECT_EQ(alice["plan"]["stages"], json::array());

  auto by_alias = admin_.Get("/api/v1/contacts/alice");
  auto by_id = admin_.Get("/api/v1/contacts/" + alice["id"].get<std::string>());
  EXPECT_EQ(by_alias.status, 200);
  EXPECT_EQ(by_alias.body, by_id.body);
  EXPECT_EQ(by_alias.header("etag"), "\"1\"");

  auto patched = admin_.Patch("/api/v1/contacts/alice", {{"displayName", "Alice Ng"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["displayName"], "Alice Ng");
  EXPECT_EQ(patched.json()["version"], 2);
  EXPECT_EQ(patched.json()["createdAt"], alice["createdAt"]);

  auto list = admin_.Get("/api/v1/contacts");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["items"].size(), 1u);
  EXPECT_TRUE(list.json()["nextCursor"].is_null());

  EXPECT_EQ(admin_.Delete("/api/v1/contacts/alice").status, 204);
  EXPECT_EQ(admin_.Get("/api/v1/contacts/alice").status, 404);
  EXPECT_EQ(admin_.Delete("/api/v1/contacts/alice").status, 404);
}

TEST_F(ContactsTest, IfMatchGuardsConcurrentUpdates) {
  CreateContact("bob");
  auto stale =
      admin_.Patch("/api/v1/contacts/bob", {{"displayName", "x"}}, {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412);
  auto ok = admin_.Patch("/api/v1/contacts/bob", {{"displayName", "x"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("etag"), "\"2\"");
  auto bad =
      admin_.Patch("/api/v1/contacts/bob", {{"displayName", "y"}}, {{"If-Match", "nonsense"}});
  ExpectFieldError(bad, 400, "If-Match");
}

TEST_F(ContactsTest, PaginationIsKeysetAndStable) {
  for (int i = 0; i < 7; ++i) CreateContact("c" + std::to_string(i));
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = admin_.Get("/api/v1/contacts?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& item : body["items"]) seen.push_back(item["alias"]);
    if (page == 0) CreateContact("late");  // Inserts during paging do not disturb it.
    if (body["nextCursor"].is_null()) break;
    cursor = body["nextCursor"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "late"}));
  ExpectFieldError(admin_.Get("/api/v1/contacts?cursor=garbage!"), 400, "cursor");
  ExpectFieldError(admin_.Get("/api/v1/contacts?limit=0"), 400, "limit");
  ExpectFieldError(admin_.Get("/api/v1/contacts?limit=101"), 400, "limit");
}

TEST_F(ContactsTest, ValidationNamesTheFieldAndWritesNothing) {
  ExpectFieldError(admin_.Post("/api/v1/contacts", json::object()), 400, "alias");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", "Bad Alias"}}), 400, "alias");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", std::string(256, 'a')}}), 400,
                   "alias");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", 5}}), 400, "alias");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", "ok"}, {"nickname", "x"}}), 400,
                   "nickname");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", "ok"}, {"displayName", "a\nb"}}), 400,
                   "displayName");
  ExpectFieldError(
      admin_.Post("/api/v1/contacts", {{"alias", "ok"}, {"displayName", std::string(256, 'x')}}),
      400, "displayName");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", "ok"}, {"tags", {{"aws:x", "y"}}}}),
                   400, "tags.aws:x");
  ExpectFieldError(admin_.Post("/api/v1/contacts", {{"alias", "ok"}, {"plan", {{"stages", 3}}}}),
                   400, "plan.stages");
  auto malformed = admin_.Send("POST", "/api/v1/contacts", "{\"alias\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json()["error"]["message"].get<std::string>().find("malformed JSON"),
            std::string::npos);
  EXPECT_EQ(admin_.Send("POST", "/api/v1/contacts", "[1,2]").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/contacts").json()["items"].size(), 0u);

  CreateContact("dup");
  auto dup = admin_.Post("/api/v1/contacts", {{"alias", "dup"}});
  ExpectFieldError(dup, 409, "alias");
  EXPECT_EQ(dup.json()["error"]["code"], "ALREADY_EXISTS");
  ExpectFieldError(admin_.Patch("/api/v1/contacts/dup", {{"alias", "renamed"}}), 400, "alias");
}

TEST_F(ContactsTest, PlanStagesAreValidated) {
  CreateContact("carol");
  json mail = CreateChannel("carol", "EMAIL", "carol@example.com");
  const std::string ch = mail["id"];
  auto plan = [&](json stages) {
    return admin_.Patch("/api/v1/contacts/carol", {{"plan", {{"stages", stages}}}});
  };
  ExpectFieldError(plan({{{"durationInMinutes", 31}, {"targets", json::array()}}}), 400,
                   "plan.stages[0].durationInMinutes");
  ExpectFieldError(plan({{{"durationInMinutes", 0}, {"targets", json::array()}}}), 400,
                   "plan.stages[0].durationInMinutes");
  ExpectFieldError(plan({{{"durationInMinutes", 5},
                          {"targets", {{{"channel", ch}, {"retryIntervalInMinutes", 61}}}}}}),
                   400, "plan.stages[0].targets[0].retryIntervalInMinutes");
  ExpectFieldError(plan({{{"durationInMinutes", 5}, {"targets", {{{"channel", "nope"}}}}}}), 400,
                   "plan.stages[0].targets[0].channel");
  json eleven = json::array();
  for (int i = 0; i < 11; ++i)
    eleven.push_back({{"durationInMinutes", 1}, {"targets", json::array()}});
  ExpectFieldError(plan(eleven), 400, "plan.stages");
  auto ok = plan(
      {{{"durationInMinutes", 0}, {"targets", {{{"channel", ch}, {"retryIntervalInMinutes", 1}}}}},
       {{"durationInMinutes", 5}, {"targets", json::array()}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["plan"]["stages"][0]["targets"][0]["channel"], ch);

  // Someone else's channel is not a target of this plan.
  CreateContact("dave");
  json daves = CreateChannel("dave", "SMS", "+14155550100");
  ExpectFieldError(plan({{{"durationInMinutes", 1}, {"targets", {{{"channel", daves["id"]}}}}}}),
                   400, "plan.stages[0].targets[0].channel");
}

TEST_F(ContactsTest, ChannelAddressesAreValidated) {
  CreateContact("erin");
  auto post = [&](json body) { return admin_.Post("/api/v1/contacts/erin/channels", body); };
  ExpectFieldError(post({{"name", "m"}, {"type", "EMAIL"}, {"deliveryAddress", "not-an-email"}}),
                   400, "deliveryAddress");
  ExpectFieldError(post({{"name", "m"}, {"type", "EMAIL"}, {"deliveryAddress", "a@b"}}), 400,
                   "deliveryAddress");
  ExpectFieldError(post({{"name", "s"}, {"type", "SMS"}, {"deliveryAddress", "4155550100"}}), 400,
                   "deliveryAddress");
  ExpectFieldError(post({{"name", "s"}, {"type", "VOICE"}, {"deliveryAddress", "+0123456789"}}),
                   400, "deliveryAddress");
  ExpectFieldError(
      post({{"name", "s"}, {"type", "VOICE"}, {"deliveryAddress", "+1234567890123456"}}), 400,
      "deliveryAddress");
  ExpectFieldError(post({{"name", "p"}, {"type", "PIGEON"}, {"deliveryAddress", "x"}}), 400,
                   "type");
  ExpectFieldError(post({{"type", "SMS"}, {"deliveryAddress", "+14155550100"}}), 400, "name");
  EXPECT_EQ(post({{"name", "ok"}, {"type", "VOICE"}, {"deliveryAddress", "+442071838750"}}).status,
            201);
  EXPECT_EQ(admin_
                .Post("/api/v1/contacts/nobody/channels",
                      {{"name", "m"}, {"type", "EMAIL"}, {"deliveryAddress", "a@example.com"}})
                .status,
            404);
  EXPECT_EQ(server_.notifier().Count(), 1u);  // Only the valid channel got a code.
}

TEST_F(ContactsTest, ActivationWithTheDeliveredCode) {
  CreateContact("frank");
  json ch = CreateChannel("frank", "EMAIL", "frank@example.com");
  const std::string id = ch["id"];
  EXPECT_EQ(ch["activationStatus"], "NOT_ACTIVATED");
  EXPECT_EQ(ch.dump().find("code"), std::string::npos);  // The code is never in a response.
  auto code = server_.notifier().TakeCode(id);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(code->size(), 6u);

  auto activated = admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", *code}});
  ASSERT_EQ(activated.status, 200) << activated.body;
  EXPECT_EQ(activated.json()["activationStatus"], "ACTIVATED");
  EXPECT_EQ(admin_.Get("/api/v1/channels/" + id).json()["activationStatus"], "ACTIVATED");

  auto deactivated = admin_.Post("/api/v1/channels/" + id + "/deactivate", json::object());
  EXPECT_EQ(deactivated.json()["activationStatus"], "NOT_ACTIVATED");
  // The old code was consumed; a new one must be requested.
  EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", *code}}).status, 409);
  EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/send-activation-code", json::object()).status,
            202);
  auto fresh = server_.notifier().TakeCode(id);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", *fresh}}).status, 200);
  EXPECT_EQ(server_.notifier().Count(), 0u);  // No unexpected messages.
}

TEST_F(ContactsTest, RepeatedWrongCodesLockTheChannel) {
  CreateContact("gina");
  const std::string id = CreateChannel("gina", "SMS", "+14155550123")["id"];
  const std::string code = *server_.notifier().TakeCode(id);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    auto r = admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", wrong}});
    ExpectFieldError(r, 400, "code");
  }
  // Locked: even the right code fails now, and the counter survived the 400s.
  auto locked = admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", code}});
  EXPECT_EQ(locked.status, 409);
  EXPECT_NE(locked.json()["error"]["message"].get<std::string>().find("locked"), std::string::npos);
  server_.Restart();
  admin_ = server_.Admin();
  EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", code}}).status, 409);
  ExpectFieldError(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", "12ab56"}}), 400,
                   "code");
}

TEST_F(ContactsTest, ExpiredCodeIsRefused) {
  CreateContact("hank");
  const std::string id = CreateChannel("hank", "EMAIL", "hank@example.com")["id"];
  const std::string code = *server_.notifier().TakeCode(id);
  server_.clock().Advance(std::chrono::hours(25));
  EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", code}}).status, 409);
}

TEST_F(ContactsTest, DeferredActivationSendsNothing) {
  CreateContact("ivy");
  CreateChannel("ivy", "EMAIL", "ivy@example.com", /*defer=*/true);
  EXPECT_EQ(server_.notifier().Count(), 0u);
}

TEST_F(ContactsTest, ReaddressingResetsActivationAndSendsANewCode) {
  CreateContact("jack");
  const std::string id = CreateChannel("jack", "EMAIL", "jack@example.com")["id"];
  admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", *server_.notifier().TakeCode(id)}});
  auto renamed = admin_.Patch("/api/v1/channels/" + id, {{"name", "home"}});
  EXPECT_EQ(renamed.json()["activationStatus"], "ACTIVATED");
  auto moved = admin_.Patch("/api/v1/channels/" + id, {{"deliveryAddress", "jack@example.org"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["activationStatus"], "NOT_ACTIVATED");
  EXPECT_TRUE(server_.notifier().TakeCode(id).has_value());
  ExpectFieldError(admin_.Patch("/api/v1/channels/" + id, {{"type", "SMS"}}), 400, "type");
}

TEST_F(ContactsTest, ChannelListAndDeleteRemovesItFromThePlan) {
  CreateContact("kim");
  const std::string a = CreateChannel("kim", "EMAIL", "kim@example.com", true)["id"];
  const std::string b = CreateChannel("kim", "SMS", "+14155550111", true)["id"];
  auto list = admin_.Get("/api/v1/contacts/kim/channels");
  ASSERT_EQ(list.json()["items"].size(), 2u);
  ASSERT_EQ(admin_
                .Patch("/api/v1/contacts/kim",
                       {{"plan",
                         {{"stages",
                           {{{"durationInMinutes", 0},
                             {"targets", {{{"channel", a}}, {{"channel", b}}}}}}}}}})
                .status,
            200);
  EXPECT_EQ(admin_.Delete("/api/v1/channels/" + a).status, 204);
  auto kim = admin_.Get("/api/v1/contacts/kim").json();
  ASSERT_EQ(kim["plan"]["stages"][0]["targets"].size(), 1u);
  EXPECT_EQ(kim["plan"]["stages"][0]["targets"][0]["channel"], b);
  EXPECT_EQ(admin_.Get("/api/v1/channels/" + a).status, 404);
  // Deleting the contact takes its channels with it.
  EXPECT_EQ(admin_.Delete("/api/v1/contacts/kim").status, 204);
  EXPECT_EQ(admin_.Get("/api/v1/channels/" + b).status, 404);
}

TEST_F(ContactsTest, DeletingAReferencedContactIs409NamingTheReferrers) {
  CreateContact("lee");
  auto plan = admin_.Post(
      "/api/v1/escalation-plans",
      {{"alias", "db-escalation"},
       {"stages",
        {{{"durationInMinutes", 5}, {"targets", {{{"contact", "lee"}, {"isEssential", true}}}}}}}});
  ASSERT_EQ(plan.status, 201) << plan.body;
  auto r = admin_.Delete("/api/v1/contacts/lee");
  EXPECT_EQ(r.status, 409);
  ASSERT_EQ(r.json()["error"]["referrers"].size(), 1u);
  EXPECT_EQ(r.json()["error"]["referrers"][0]["type"], "escalation-plan");
  EXPECT_EQ(r.json()["error"]["referrers"][0]["name"], "db-escalation");
  EXPECT_EQ(admin_.Get("/api/v1/contacts/lee").status, 200);
  EXPECT_EQ(admin_.Delete("/api/v1/escalation-plans/db-escalation").status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/contacts/lee").status, 204);
}

TEST_F(ContactsTest, DataSurvivesARestart) {
  CreateContact("mia");
  const std::string id = CreateChannel("mia", "EMAIL", "mia@example.com", true)["id"];
  server_.Restart();
  admin_ = server_.Admin();
  EXPECT_EQ(admin_.Get("/api/v1/contacts/mia").status, 200);
  EXPECT_EQ(admin_.Get("/api/v1/channels/" + id).json()["deliveryAddress"], "mia@example.com");
}

TEST_F(ContactsTest, ContactsEndpointDoesNotServeOtherContactTypes) {
  CreateContact("ned");
  ASSERT_EQ(
      admin_
          .Post("/api/v1/escalation-plans",
                {{"alias", "esc"},
                 {"stages", {{{"durationInMinutes", 5}, {"targets", {{{"contact", "ned"}}}}}}}})
          .status,
      201);
  EXPECT_EQ(admin_.Get("/api/v1/contacts/esc").status, 404);
  EXPECT_EQ(admin_.Get("/api/v1/contacts").json()["items"].size(), 1u);
  EXPECT_EQ(admin_.Get("/api/v1/escalation-plans").json()["items"].size(), 1u);
  // The alias namespace is shared across contact types.
  EXPECT_EQ(admin_.Post("/api/v1/contacts", {{"alias", "esc"}}).status, 409);
}

}  // namespace
}  // namespace tocsin::test
