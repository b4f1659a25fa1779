#include "tocsin/ledger/signing_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"

#include <sys/stat.h>

namespace tocsin::ledger {
namespace {

using crypto::HexEncode;

std::string H(std::string_view hex) { return crypto::HexDecode(hex).value(); }

// RFC 8032 §7.1, TEST 1 (empty message).
constexpr char kRfc8032Seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8032Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8032Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";

// The RFC 8032 TEST 1 key as PEM PKCS#8 (as written by OpenSSL and Python's cryptography).
constexpr char kRfc8032Pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

// A NIST P-256 key (openssl genpkey -algorithm EC): a valid PEM key of the wrong type.
constexpr char kP256Pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDMJPQGwi1i6fvYDC\n"
    "ZgollWEazyGjNRtXm8t4dnoPlJShRANCAAS+mwdUFSOXHDDsTmeL8WQP8J0yUFk+\n"
    "2i+y5m57EEtfmjZIRw6J7RVdsrsQLd8SFD2Hv0InvjPgjOnBM+OgjrU+\n"
    "-----END PRIVATE KEY-----\n";

class SigningKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "tocsin-ledger-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `content` to a new file with exactly `mode` (umask does not apply).
  void WriteFile(const std::string& path, const std::string& content, mode_t mode) {
    { std::ofstream(path, std::ios::binary) << content; }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::filesystem::path dir_;
};

TEST(SigningKeyTest, Rfc8032Test1) {
  Result<SigningKey> key = SigningKey::FromPrivateKeyBytes(H(kRfc8032Seed));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexEncode(key->PublicKey()), kRfc8032Public);
  Result<std::string> sig = key->Sign("");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexEncode(*sig), kRfc8032Signature);
  EXPECT_TRUE(VerifyEd25519(H(kRfc8032Public), "", H(kRfc8032Signature)));
}

TEST(SigningKeyTest, GeneratedKeySignsAndVerifies) {
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicKey().size(), kEd25519PublicKeySize);
  Result<SigningKey> other = SigningKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(key->PublicKey(), other->PublicKey());

  const std::string message = "tocsin checkpoint\n";
  Result<std::string> sig = key->Sign(message);
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->size(), kEd25519SignatureSize);
  EXPECT_TRUE(VerifyEd25519(key->PublicKey(), message, *sig));
  // Ed25519 is deterministic.
  EXPECT_EQ(*key->Sign(message), *sig);

  EXPECT_FALSE(VerifyEd25519(other->PublicKey(), message, *sig));
  EXPECT_FALSE(VerifyEd25519(key->PublicKey(), message + "x", *sig));
  for (size_t bit = 0; bit < sig->size() * 8; bit += 7) {
    std::string bad = *sig;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(VerifyEd25519(key->PublicKey(), message, bad)) << "bit " << bit;
  }
  EXPECT_FALSE(VerifyEd25519(key->PublicKey(), message, sig->substr(1)));
  EXPECT_FALSE(VerifyEd25519(key->PublicKey().substr(1), message, *sig));
  EXPECT_FALSE(VerifyEd25519("", message, *sig));
}

TEST(SigningKeyTest, CopiesShareOneKeyAndSignConcurrently) {
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  const SigningKey copy = *key;
  EXPECT_EQ(copy.PublicKey(), key->PublicKey());
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string message = std::to_string(t) + ":" + std::to_string(i);
        Result<std::string> sig = (t % 2 == 0 ? copy : *key).Sign(message);
        if (sig.ok() && VerifyEd25519(copy.PublicKey(), message, *sig)) ++good;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 200);
}

TEST(SigningKeyTest, FromPrivateKeyBytesRejectsWrongLength) {
  EXPECT_EQ(SigningKey::FromPrivateKeyBytes("short").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromPrivateKeyBytes(std::string(64, 'x')).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SigningKeyFileTest, SaveCreatesMode0600AndLoadRoundTrips) {
  // Even a permissive umask must not widen the file's mode.
  const mode_t old_umask = ::umask(0);
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  const std::string path = Path("ledger.key");
  const Status saved = key->SaveToFile(path);
  ::umask(old_umask);
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  EXPECT_EQ(ModeOf(path), 0600u);

  std::ifstream in(path);
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;

  Result<SigningKey> loaded = SigningKey::LoadFromFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKey(), key->PublicKey());
  EXPECT_EQ(*loaded->Sign("m"), *key->Sign("m"));
}

TEST_F(SigningKeyFileTest, SaveRefusesToOverwrite) {
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  const std::string path = Path("ledger.key");
  WriteFile(path, "precious", 0600);
  EXPECT_EQ(key->SaveToFile(path).code(), StatusCode::kAlreadyExists);
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");

  // Nor does it follow a symlink, even a dangling one.
  const std::string link = Path("link.key");
  ASSERT_EQ(::symlink(Path("target.key").c_str(), link.c_str()), 0);
  EXPECT_EQ(key->SaveToFile(link).code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(Path("target.key")));
}

TEST_F(SigningKeyFileTest, SaveIntoMissingDirectoryIsNotFound) {
  Result<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->SaveToFile(Path("no/such/dir/ledger.key")).code(), StatusCode::kNotFound);
}

TEST_F(SigningKeyFileTest, LoadsPemWrittenByOtherTools) {
  const std::string path = Path("rfc8032.key");
  WriteFile(path, kRfc8032Pem, 0600);
  Result<SigningKey> key = SigningKey::LoadFromFile(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexEncode(key->PublicKey()), kRfc8032Public);
  EXPECT_EQ(HexEncode(*key->Sign("")), kRfc8032Signature);
  // 0400 (read-only for the owner) is fine too.
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(SigningKey::LoadFromFile(path).ok());
}

TEST_F(SigningKeyFileTest, LoadRefusesFilesAccessibleByGroupOrOthers) {
  const std::string path = Path("open.key");
  for (mode_t mode : {0644u, 0640u, 0604u, 0660u, 0602u, 0620u, 0601u, 0610u}) {
    WriteFile(path, kRfc8032Pem, mode);
    Result<SigningKey> key = SigningKey::LoadFromFile(path);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(key.status().message().find("too open"), std::string::npos) << key.status().message();
    EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos)
        << key.status().message();
    std::filesystem::remove(path);
  }
  WriteFile(path, kRfc8032Pem, 0644);
  EXPECT_NE(SigningKey::LoadFromFile(path).status().message().find("0644"), std::string::npos);
}

TEST_F(SigningKeyFileTest, LoadMissingFileIsNotFound) {
  Result<SigningKey> key = SigningKey::LoadFromFile(Path("missing.key"));
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
  EXPECT_NE(key.status().message().find("missing.key"), std::string::npos);
}

TEST_F(SigningKeyFileTest, LoadRejectsWhatIsNotAnEd25519PemKey) {
  const std::string path = Path("bad.key");
  WriteFile(path, "not a key\n", 0600);
  EXPECT_EQ(SigningKey::LoadFromFile(path).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove(path);

  WriteFile(path, kP256Pem, 0600);
  Result<SigningKey> key = SigningKey::LoadFromFile(path);
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(key.status().message().find("Ed25519"), std::string::npos);
  std::filesystem::remove(path);

  WriteFile(path, std::string(70 * 1024, 'A'), 0600);
  EXPECT_EQ(SigningKey::LoadFromFile(path).status().code(), StatusCode::kInvalidArgument);

  // A directory is not a key file.
  const std::string sub = Path("subdir");
  ASSERT_TRUE(std::filesystem::create_directory(sub));
  ASSERT_EQ(::chmod(sub.c_str(), 0700), 0);
  EXPECT_EQ(SigningKey::LoadFromFile(sub).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SigningKeyFileTest, LoadRefusesEncryptedKeyWithoutPrompting) {
  // The RFC 8032 key as encrypted PKCS#8 (openssl pkcs8 -topk8 -passout pass:secret): loading
  // must fail at once, not ask for a passphrase on the terminal.
  const std::string path = Path("encrypted.key");
  WriteFile(path,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
            "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjEaH8RHCXUVQICCAAw\n"
            "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEENuM7Wr4U+AFLpQMufZxNy4EQOqR\n"
            "Oztwe5gTRDpVziDuS0aqi0xOiNsKOaab3ey7GmWvpwTiCrGr6+tlkY4e29q/PhD0\n"
            "+1n5GQa+rgoOXL2CtgU=\n"
            "-----END ENCRYPTED PRIVATE KEY-----\n",
            0600);
  Result<SigningKey> key = SigningKey::LoadFromFile(path);
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument) << key.status().ToString();
}

}  // namespace
}  // namespace tocsin::ledger
