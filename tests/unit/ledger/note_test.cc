#include "tocsin/ledger/note.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"

namespace tocsin::ledger {
namespace {

// Known-answer vectors from golang.org/x/mod/sumdb/note (note.go package comment and
// note_test.go), the reference implementation of C2SP signed notes.
constexpr char kPeterSignerKey64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";  // 0x01||seed
constexpr char kPeterVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kEnochVerifierKey[] =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr char kText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSig[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr char kEnochSig[] =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

SigningKey PeterKey() {
  const std::string typed = crypto::Base64Decode(kPeterSignerKey64).value();
  return SigningKey::FromPrivateKeyBytes(typed.substr(1)).value();
}

NoteVerifier Verifier(const char* verifier_key) { return ParseVerifierKey(verifier_key).value(); }

// Returns a signature line by `name` whose decoded bytes are `id` followed by `sig`.
std::string SigLine(const std::string& name, const std::string& id_and_sig) {
  return "\xE2\x80\x94 " + name + " " + crypto::Base64Encode(id_and_sig) + "\n";
}

TEST(NoteTest, PeterNeumannKnownAnswers) {
  const SigningKey key = PeterKey();
  EXPECT_EQ(Ed25519KeyId("PeterNeumann", key.PublicKey()), 0xc74f20a3u);
  Result<NoteVerifier> verifier = MakeNoteVerifier("PeterNeumann", key.PublicKey());
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(FormatVerifierKey(*verifier), kPeterVerifierKey);
  EXPECT_EQ(*verifier, Verifier(kPeterVerifierKey));

  Result<std::string> note = SignNote(kText, "PeterNeumann", key);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(*note, std::string(kText) + "\n" + kPeterSig);

  Result<std::string> text = OpenNote(*note, *verifier);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, kText);
}

TEST(NoteTest, UnknownSignaturesAreIgnored) {
  const std::string both = std::string(kText) + "\n" + kPeterSig + kEnochSig;
  EXPECT_EQ(*OpenNote(both, Verifier(kPeterVerifierKey)), kText);
  EXPECT_EQ(*OpenNote(both, Verifier(kEnochVerifierKey)), kText);
  const std::string peter_only = std::string(kText) + "\n" + kPeterSig;
  Result<std::string> r = OpenNote(peter_only, Verifier(kEnochVerifierKey));
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("EnochRoot+af0cfe78"), std::string::npos);
  EXPECT_NE(r.status().message().find("PeterNeumann+c74f20a3"), std::string::npos);

  // Signatures sharing only the name or only the key ID with the trusted key belong to
  // other keys: ignored, even though they would not verify.
  const std::string junk(64, 'j');
  const std::string same_name = SigLine("PeterNeumann", std::string("\x01\x02\x03\x04") + junk);
  const std::string same_id = SigLine("PeterNeumannX", std::string("\xc7\x4f\x20\xa3") + junk);
  EXPECT_TRUE(OpenNote(std::string(kText) + "\n" + same_name + same_id + kPeterSig,
                       Verifier(kPeterVerifierKey))
                  .ok());
}

TEST(NoteTest, AcceptsSixteenSignaturesAndRejectsTooMany) {
  std::string sigs;
  for (int i = 0; i < 15; ++i) sigs += kEnochSig;
  EXPECT_TRUE(
      OpenNote(std::string(kText) + "\n" + sigs + kPeterSig, Verifier(kPeterVerifierKey)).ok());
  std::string many;
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  EXPECT_EQ(OpenNote(std::string(kText) + "\n" + many, Verifier(kPeterVerifierKey)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(NoteTest, BadSignatureByTrustedKeyRejectsTheNote) {
  std::string bad_sig = kPeterSig;
  bad_sig.insert(60, "ABCD");
  EXPECT_EQ(
      OpenNote(std::string(kText) + "\n" + bad_sig, Verifier(kPeterVerifierKey)).status().code(),
      StatusCode::kUnauthenticated);

  // A valid signature does not excuse a second, invalid one by the same key.
  const std::string decoded =
      crypto::Base64Decode(std::string_view(kPeterSig).substr(17, 92)).value();
  std::string flipped = decoded;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  ASSERT_EQ(std::string(kPeterSig), SigLine("PeterNeumann", decoded));
  const std::string note = std::string(kText) + "\n" + kPeterSig + SigLine("PeterNeumann", flipped);
  EXPECT_EQ(OpenNote(note, Verifier(kPeterVerifierKey)).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(NoteTest, TamperedTextIsRejected) {
  std::string note = std::string(kText) + "\n" + kPeterSig;
  note[3] = 'X';
  EXPECT_EQ(OpenNote(note, Verifier(kPeterVerifierKey)).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(NoteTest, MalformedNotesAreRejected) {
  const std::string text = kText;
  const std::string peter = kPeterSig;
  const std::vector<std::string> bad = {
      "",
      text,
      text + "\n",
      text + "\n" + peter.substr(0, peter.size() - 1),
      "\x01" + text + "\n" + peter,
      "\xff" + text + "\n" + peter,
      text + "\t\n" + peter,
      text + "\n" + "\xE2\x80\x94 Bad Name " + peter.substr(17),
      text + "\n" + peter + "Unexpected line.\n",
      text + "\n" + "- PeterNeumann " + peter.substr(17),
      text + "\n" + "\xE2\x80\x94 PeterNeumann\n",
      text + "\n" + "\xE2\x80\x94 PeterNeumann \n",
      text + "\n" + "\xE2\x80\x94  " + peter.substr(17),
      text + "\n" + "\xE2\x80\x94 PeterNeumann AAAA\n",       // Fewer than 5 bytes.
      text + "\n" + "\xE2\x80\x94 PeterNeumann x08go/ZJ!\n",  // Not base64.
      text + "\n" + "\xE2\x80\x94 Peter+Neumann " + peter.substr(17),
      std::string(kMaxNoteSize + 1, 'a'),
  };
  for (const std::string& note : bad) {
    Result<std::string> r = OpenNote(note, Verifier(kPeterVerifierKey));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << note.substr(0, 200);
  }
}

TEST(NoteTest, ParseVerifierKeyRejectsManglings) {
  ASSERT_TRUE(ParseVerifierKey(kPeterVerifierKey).ok());
  const std::string key = kPeterVerifierKey;
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_FALSE(ParseVerifierKey(key.substr(i, j - i)).ok()) << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(ParseVerifierKey(mangled).ok()) << mangled;
  }
  // Wrong key length and unknown signature type, each with a matching key ID.
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
          .ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  // Upper-case hex is accepted (as by Go's strconv.ParseUint).
  EXPECT_TRUE(
      ParseVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
}

TEST(NoteTest, SignNoteValidatesInput) {
  const SigningKey key = PeterKey();
  EXPECT_EQ(SignNote("", "n", key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("abc", "n", key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("a\x01\n", "n", key).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("\xff\n", "n", key).status().code(), StatusCode::kInvalidArgument);
  for (const char* name : {"", "a b", "a+b", "a\nb",
                           "a\xC2\xA0"
                           "b"}) {
    EXPECT_EQ(SignNote("abc\n", name, key).status().code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(SignNote(std::string(kMaxNoteSize, 'a') + "\n", "n", key).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(NoteTest, RoundTripsTextWithBlankLinesAndUnicode) {
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  const std::string text = "first\n\nthird — with an em dash\n\xF0\x9F\x94\x94\n";
  Result<std::string> note = SignNote(text, "tocsin.example/ledger", *key);
  ASSERT_TRUE(note.ok());
  const NoteVerifier verifier = *MakeNoteVerifier("tocsin.example/ledger", key->PublicKey());
  EXPECT_EQ(*OpenNote(*note, verifier), text);
  // The exported verifier key string gives the same verifier back.
  EXPECT_EQ(*ParseVerifierKey(FormatVerifierKey(verifier)), verifier);
}

TEST(NoteTest, KeyNameAndTextRules) {
  EXPECT_TRUE(IsValidKeyName("example.com/log42"));
  EXPECT_TRUE(IsValidKeyName("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidKeyName("a\xC2\x85"
                     "b"));  // U+0085 NEL
  EXPECT_FALSE(
      IsValidKeyName("a\xE2\x80\x83"
                     "b"));  // U+2003 EM SPACE
  EXPECT_FALSE(
      IsValidKeyName("a\xE3\x80\x80"
                     "b"));                      // U+3000 IDEOGRAPHIC SPACE
  EXPECT_FALSE(IsValidKeyName("\xC0\xAF"));      // Overlong '/'.
  EXPECT_FALSE(IsValidKeyName("\xED\xA0\x80"));  // Surrogate.

  EXPECT_TRUE(IsValidNoteText("line\n\xF0\x9F\x94\x94\n"));
  EXPECT_FALSE(IsValidNoteText("a\rb\n"));
  EXPECT_FALSE(IsValidNoteText("\xF4\x90\x80\x80"));  // Above U+10FFFF.
  EXPECT_FALSE(IsValidNoteText("\xE2\x80"));          // Truncated.

  EXPECT_EQ(MakeNoteVerifier("a b", std::string(32, 'k')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeNoteVerifier("ok", std::string(31, 'k')).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tocsin::ledger
