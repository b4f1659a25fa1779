// CarrierNotifier: routing by channel type, failover between carriers, and
// the texts of SMS and voice pages. Carriers here are scripted fakes; the
// real ones are tested in carrier_test.cc and end to end in delivery_e2e_test.cc.
#include "tocsin/notify/carrier_notifier.h"

#include <deque>
#include <mutex>

#include <gtest/gtest.h>

namespace tocsin::notify {
namespace {

class ScriptedCarrier final : public Carrier {
 public:
  ScriptedCarrier(std::string name, std::deque<Result<std::string>> answers)
      : name_(std::move(name)), answers_(std::move(answers)) {}
  const std::string& name() const override { return name_; }
  Result<std::string> Send(const CarrierMessage& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(m);
    if (answers_.empty()) return Internal("no scripted answer");
    auto a = answers_.front();
    answers_.pop_front();
    return a;
  }
  std::vector<CarrierMessage> sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  std::string name_;
  std::mutex mu_;
  std::deque<Result<std::string>> answers_;
  std::vector<CarrierMessage> sent_;
};

PageMessage SmsPage() {
  PageMessage p;
  p.page_id = "p1";
  p.channel_type = domain::ChannelType::kSms;
  p.delivery_address = "+15555550100";
  p.subject = "DB down";
  p.content = "Primary database is not answering";
  p.accept_code = "123456";
  p.ack_url = "https://pager.example/ack/tok";
  return p;
}

struct Fixture {
  ScriptedCarrier* first = nullptr;
  ScriptedCarrier* second = nullptr;
  std::unique_ptr<Notifier> notifier;
};

Fixture Make(std::deque<Result<std::string>> a, std::deque<Result<std::string>> b) {
  Fixture f;
  CarrierNotifierOptions o;
  auto first = std::make_unique<ScriptedCarrier>("primary", std::move(a));
  auto second = std::make_unique<ScriptedCarrier>("backup", std::move(b));
  f.first = first.get();
  f.second = second.get();
  o.sms.push_back(std::move(first));
  o.sms.push_back(std::move(second));
  o.public_url = "https://pager.example";
  f.notifier = NewCarrierNotifier(std::move(o));
  return f;
}

TEST(CarrierNotifierTest, FailsOverWhenTheFirstCarrierIsDownOrSlow) {
  for (Status down : {Unavailable("503"), DeadlineExceeded("timed out")}) {
    Fixture f = Make({down}, {std::string("SM2")});
    auto h = f.notifier->SendPage(SmsPage());
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->ref, "backup:SM2");
    ASSERT_EQ(h->failovers.size(), 1u);
    EXPECT_EQ(h->failovers[0].rfind("primary: ", 0), 0u) << h->failovers[0];
    ASSERT_EQ(f.second->sent().size(), 1u);
    EXPECT_EQ(f.second->sent()[0].status_callback_url, "https://pager.example/hooks/twilio/status");
  }
}

TEST(CarrierNotifierTest, APermanentRefusalDoesNotFailOver) {
  Fixture f = Make({FailedPrecondition("21211 invalid To")}, {std::string("SM2")});
  auto h = f.notifier->SendPage(SmsPage());
  EXPECT_EQ(h.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(f.second->sent().empty());
}

TEST(CarrierNotifierTest, EveryCarrierFailingNamesThemAll) {
  Fixture f = Make({Unavailable("500 a")}, {Unavailable("500 b")});
  auto h = f.notifier->SendPage(SmsPage());
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(h.status().message().find("primary: 500 a"), std::string::npos);
  EXPECT_NE(h.status().message().find("backup: 500 b"), std::string::npos);
}

TEST(CarrierNotifierTest, MissingDeliveryIsAClearError) {
  auto notifier = NewCarrierNotifier({});
  PageMessage mail = SmsPage();
  mail.channel_type = domain::ChannelType::kEmail;
  EXPECT_EQ(notifier->SendPage(mail).status().code(), StatusCode::kFailedPrecondition);
  PageMessage voice = SmsPage();
  voice.channel_type = domain::ChannelType::kVoice;
  auto r = notifier->SendPage(voice);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("notify.voice.carriers"), std::string::npos);
}

TEST(CarrierNotifierTest, SmsTextCarriesTheCodeAndTheLink) {
  const std::string text = SmsPageText(SmsPage());
  EXPECT_NE(text.find("DB down"), std::string::npos);
  EXPECT_NE(text.find("Reply ACK 123456"), std::string::npos);
  EXPECT_NE(text.find("https://pager.example/ack/tok"), std::string::npos);
  PageMessage long_page = SmsPage();
  long_page.content = std::string(2000, 'x');
  EXPECT_LE(SmsPageText(long_page).size(), 480u);
}

}  // namespace
}  // namespace tocsin::notify
