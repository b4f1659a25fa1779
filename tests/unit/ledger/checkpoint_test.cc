#include "tocsin/ledger/checkpoint.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"
#include "tocsin/ledger/merkle.h"
#include "tocsin/ledger/note.h"

namespace tocsin::ledger {
namespace {

std::string H(std::string_view hex) { return crypto::HexDecode(hex).value(); }

// Root of the 8-leaf RFC 6962 test tree (transparency-dev/merkle testonly/constants.go).
const std::string kRoot8 = H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
constexpr char kRoot8Base64[] = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";

constexpr char kKeyName[] = "tocsin.example/ledger";

// A real checkpoint of the Go checksum database (same format: its tree notes are
// tlog-checkpoints), with sum.golang.org's published verifier key.
constexpr char kSumDbVerifierKey[] =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
constexpr char kSumDbCheckpoint[] =
    "go.sum database tree\n"
    "49189689\n"
    "ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n"
    "\n"
    "\xE2\x80\x94 sum.golang.org "
    "Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwyIqD/"
    "OqP4oLtLnNumvOBAM=\n";

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<SigningKey> key = SigningKey::Generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<SigningKey>(*std::move(key));
    Result<std::string> note = SignCheckpoint(checkpoint_, kKeyName, *key_);
    ASSERT_TRUE(note.ok()) << note.status().ToString();
    note_ = *note;
  }

  Result<Checkpoint> Verify(const std::string& note) const {
    return ParseAndVerifyCheckpoint(note, kKeyName, key_->PublicKey());
  }

  // Replaces the first occurrence of `from` in the signed note.
  std::string Tamper(const std::string& from, const std::string& to) const {
    std::string note = note_;
    const size_t at = note.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return note.replace(at, from.size(), to);
  }

  const Checkpoint checkpoint_{"tocsin.example/ledger", 8, kRoot8};
  std::unique_ptr<SigningKey> key_;
  std::string note_;
};

TEST(CheckpointBodyTest, FormatsTheThreeLines) {
  Result<std::string> body = FormatCheckpointBody({"example.com/log", 8, kRoot8});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, std::string("example.com/log\n8\n") + kRoot8Base64 + "\n");
  EXPECT_EQ(*FormatCheckpointBody({"o", 0, EmptyRoot()}),
            "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  EXPECT_EQ(*ParseCheckpointBody(*body), Checkpoint({"example.com/log", 8, kRoot8}));
}

TEST(CheckpointBodyTest, FormatRejectsBadFields) {
  EXPECT_EQ(FormatCheckpointBody({"", 1, kRoot8}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatCheckpointBody({"a\nb", 1, kRoot8}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatCheckpointBody({"a\x01", 1, kRoot8}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatCheckpointBody({"\xff", 1, kRoot8}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatCheckpointBody({"o", 1, kRoot8.substr(1)}).status().code(),
            StatusCode::kInvalidArgument);
  // Spaces and '+' are allowed in an origin (the URL form is only recommended).
  EXPECT_TRUE(FormatCheckpointBody({"go.sum database tree+1", 1, kRoot8}).ok());
}

TEST(CheckpointBodyTest, SizesHaveOneSpelling) {
  const std::string root_line = std::string(kRoot8Base64) + "\n";
  auto parse = [&](const std::string& size) {
    return ParseCheckpointBody("o\n" + size + "\n" + root_line);
  };
  EXPECT_EQ(parse("0")->size, 0u);
  EXPECT_EQ(parse("1")->size, 1u);
  EXPECT_EQ(parse("18446744073709551615")->size, UINT64_MAX);
  for (const char* bad : {"", "00", "01", "+1", "-1", " 1", "1 ", "1e3", "0x10",
                          "18446744073709551616", "99999999999999999999999", "١"}) {
    EXPECT_EQ(parse(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(CheckpointBodyTest, ParseRejectsMalformedBodies) {
  const std::string root = kRoot8Base64;
  const std::vector<std::string> bad = {
      "",
      "o\n8\n" + root,                                           // No final newline.
      "o\n8\n",                                                  // No root line.
      "o\n",                                                     // Only the origin.
      "\n8\n" + root + "\n",                                     // Empty origin.
      "o\n8\n" + root + "\nextension\n",                         // Extension line.
      "o\n8\n" + root + "\n\n",                                  // Empty extra line.
      "o\n8\n" + root.substr(0, root.size() - 1) + "\n",         // Unpadded base64.
      "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n",    // base64url alphabet.
      "o\n8\n" + crypto::Base64Encode(kRoot8.substr(1)) + "\n",  // 31 bytes.
      "o\n8\n" + crypto::Base64Encode(kRoot8 + "x") + "\n",      // 33 bytes.
      "o\n8\n" + root + " \n",                                   // Trailing space.
      "o\r\n8\n" + root + "\n",                                  // Control character.
  };
  for (const std::string& text : bad) {
    EXPECT_EQ(ParseCheckpointBody(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST_F(CheckpointTest, SignedNoteHasTheSpecifiedLayout) {
  const std::string body = *FormatCheckpointBody(checkpoint_);
  ASSERT_EQ(note_.rfind(body + "\n\xE2\x80\x94 " + kKeyName + " ", 0), 0u) << note_;
  const std::string b64 = note_.substr(body.size() + 1 + 4 + sizeof(kKeyName), std::string::npos);
  ASSERT_EQ(b64.back(), '\n');
  const std::string sig = crypto::Base64Decode(b64.substr(0, b64.size() - 1)).value();
  ASSERT_EQ(sig.size(), 4u + 64u);
  // Key ID = SHA-256(name || "\n" || 0x01 || public key)[:4], computed here from scratch.
  const std::string id_input =
      std::string(kKeyName) + "\n" + std::string(1, '\x01') + key_->PublicKey();
  EXPECT_EQ(sig.substr(0, 4), crypto::Sha256(id_input).substr(0, 4));
  EXPECT_TRUE(VerifyEd25519(key_->PublicKey(), body, sig.substr(4)));
}

TEST_F(CheckpointTest, RoundTrip) {
  Result<Checkpoint> got = Verify(note_);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, checkpoint_);

  // Through the exported verifier key string, as an operator verifying offline would.
  const std::string vkey = FormatVerifierKey(*MakeNoteVerifier(kKeyName, key_->PublicKey()));
  EXPECT_EQ(vkey.rfind(std::string(kKeyName) + "+", 0), 0u);
  Result<NoteVerifier> verifier = ParseVerifierKey(vkey);
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(*ParseAndVerifyCheckpoint(note_, *verifier), checkpoint_);

  // Sizes 0 and 2^64 - 1 survive too.
  for (uint64_t size : {uint64_t{0}, UINT64_MAX}) {
    const Checkpoint c{"o", size, EmptyRoot()};
    EXPECT_EQ(*Verify(*SignCheckpoint(c, kKeyName, *key_)), c);
  }
}

TEST_F(CheckpointTest, TamperingAnyFieldIsRejected) {
  const std::string root_b64 = kRoot8Base64;
  const std::string other_root = crypto::Base64Encode(LeafHash("other"));
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"tocsin.example/ledger\n8", "tocsin.example/ledgex\n8"},  // Origin.
      {"\n8\n", "\n9\n"},                                        // Size.
      {root_b64, other_root},                                    // Root.
  };
  for (const auto& [from, to] : edits) {
    Result<Checkpoint> r = Verify(Tamper(from, to));
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << from << " -> " << to;
  }

  // Key name on the signature line: the signature then belongs to an unknown key.
  EXPECT_EQ(
      Verify(Tamper("\xE2\x80\x94 tocsin.example/ledger ", "\xE2\x80\x94 tocsin.example/other "))
          .status()
          .code(),
      StatusCode::kUnauthenticated);

  // Signature bytes: every byte of the decoded key ID and signature matters.
  const size_t b64_start = note_.rfind(' ') + 1;
  const std::string b64 = note_.substr(b64_start, note_.size() - b64_start - 1);
  const std::string sig = crypto::Base64Decode(b64).value();
  for (size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    const std::string note = note_.substr(0, b64_start) + crypto::Base64Encode(bad) + "\n";
    EXPECT_EQ(Verify(note).status().code(), StatusCode::kUnauthenticated) << "byte " << i;
  }

  // The verifier's side: another key name, another public key.
  EXPECT_EQ(
      ParseAndVerifyCheckpoint(note_, "tocsin.example/other", key_->PublicKey()).status().code(),
      StatusCode::kUnauthenticated);
  Result<SigningKey> other = SigningKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(ParseAndVerifyCheckpoint(note_, kKeyName, other->PublicKey()).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseAndVerifyCheckpoint(note_, "bad name", key_->PublicKey()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAndVerifyCheckpoint(note_, kKeyName, "short").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CheckpointTest, ValidlySignedButMalformedBodiesAreRejected) {
  const std::string root = std::string(kRoot8Base64) + "\n";
  const std::vector<std::string> bodies = {"o\n08\n" + root, "o\n8\n" + root + "extension\n",
                                           "o\n8\n" + root + "\nlast\n", "o\n8\n"};
  for (const std::string& body : bodies) {
    Result<std::string> note = SignNote(body, kKeyName, *key_);
    ASSERT_TRUE(note.ok());
    EXPECT_EQ(Verify(*note).status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST_F(CheckpointTest, SignRejectsBadInput) {
  EXPECT_EQ(SignCheckpoint({"", 1, kRoot8}, kKeyName, *key_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SignCheckpoint({"o", 1, "short"}, kKeyName, *key_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SignCheckpoint(checkpoint_, "bad+name", *key_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CheckpointInteropTest, VerifiesARealSumGolangOrgCheckpoint) {
  Result<NoteVerifier> verifier = ParseVerifierKey(kSumDbVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  Result<Checkpoint> got = ParseAndVerifyCheckpoint(kSumDbCheckpoint, *verifier);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->origin, "go.sum database tree");
  EXPECT_EQ(got->size, 49189689u);
  EXPECT_EQ(crypto::HexEncode(got->root),
            "7ed8db00ecdaba9688bda3e8fc6f8393ade7c4e676b3538f38a21a3ed5eced2e");

  std::string tampered = kSumDbCheckpoint;
  tampered.replace(tampered.find("49189689"), 8, "49189690");
  EXPECT_EQ(ParseAndVerifyCheckpoint(tampered, *verifier).status().code(),
            StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace tocsin::ledger
