#include "tocsin/ledger/signing_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <sys/stat.h>

namespace tocsin::ledger {

struct SigningKey::Impl {
  explicit Impl(EVP_PKEY* key) : pkey(key) {}
  ~Impl() { EVP_PKEY_free(pkey); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  EVP_PKEY* const pkey;  // Owned; never modified after construction.
};

namespace {

// A key file is a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxKeyFileSize = 64 * 1024;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Returns OpenSSL's first queued error as text and empties this thread's error queue, so a
// failure here never leaks into an unrelated later call.
std::string DrainOpenSslErrors() {
  const unsigned long code = ERR_get_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text;
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status ErrnoStatus(int err, const std::string& what) {
  const std::string message = what + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(message);
    case EEXIST:
      return AlreadyExists(message);
    case EACCES:
    case EPERM:
      return PermissionDenied(message);
    default:
      return Unavailable(message);
  }
}

// Refuses to prompt on the terminal for the passphrase of an encrypted PEM file.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

// Closes a descriptor on every path out of a scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Returns close()'s result and disarms the destructor.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<const Impl> impl, std::string public_key)
    : impl_(std::move(impl)), public_key_(std::move(public_key)) {}

namespace {

// Returns the raw public key of an Ed25519 EVP_PKEY.
Result<std::string> RawPublicKey(EVP_PKEY* pkey) {
  std::string pub(kEd25519PublicKeySize, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(pub.data()), &len) != 1 ||
      len != kEd25519PublicKeySize) {
    return Internal("cannot read the Ed25519 public key: " + DrainOpenSslErrors());
  }
  return pub;
}

}  // namespace

Result<SigningKey> SigningKey::Generate() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) return Internal("Ed25519 key generation failed: " + DrainOpenSslErrors());
  Result<std::string> pub = RawPublicKey(pkey.get());
  if (!pub.ok()) return pub.status();
  return SigningKey(std::make_shared<const Impl>(pkey.release()), std::move(*pub));
}

Result<SigningKey> SigningKey::FromPrivateKeyBytes(std::string_view seed) {
  if (seed.size() != kEd25519PrivateKeySize) {
    return InvalidArgument("Ed25519 private key is " + std::to_string(seed.size()) +
                           " bytes, want " + std::to_string(kEd25519PrivateKeySize));
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(seed), seed.size()));
  if (pkey == nullptr) return Internal("cannot load Ed25519 key: " + DrainOpenSslErrors());
  Result<std::string> pub = RawPublicKey(pkey.get());
  if (!pub.ok()) return pub.status();
  return SigningKey(std::make_shared<const Impl>(pkey.release()), std::move(*pub));
}

Result<SigningKey> SigningKey::LoadFromFile(const std::string& path) {
  // O_NONBLOCK so that a FIFO at `path` cannot hang us before fstat rejects it; it has no
  // effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus(errno, "cannot open signing key '" + path + "'");
  FdCloser closer(fd);

  // Check the opened file itself, not the path, so the file cannot be swapped in between.
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat signing key '" + path + "'");
  if (!S_ISREG(st.st_mode)) {
    return FailedPrecondition("signing key '" + path + "' is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return FailedPrecondition(std::string("permissions ") + mode + " for signing key '" + path +
                              "' are too open: it must not be accessible by group or others "
                              "(run: chmod 600 '" +
                              path + "')");
  }
  if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) > kMaxKeyFileSize) {
    return InvalidArgument("signing key '" + path + "' is larger than " +
                           std::to_string(kMaxKeyFileSize) + " bytes");
  }

  // One fixed buffer, wiped afterwards, so no copy of the private key stays in freed memory.
  std::string buf(kMaxKeyFileSize + 1, '\0');
  size_t used = 0;
  Status read_status;
  while (used < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + used, buf.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      read_status = ErrnoStatus(errno, "cannot read signing key '" + path + "'");
      break;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  Result<SigningKey> result = read_status;
  if (read_status.ok()) {
    if (used > kMaxKeyFileSize) {
      result = InvalidArgument("signing key '" + path + "' is larger than " +
                               std::to_string(kMaxKeyFileSize) + " bytes");
    } else {
      BioPtr bio(BIO_new_mem_buf(buf.data(), static_cast<int>(used)));
      PkeyPtr pkey;
      if (bio != nullptr) {
        pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
      }
      if (pkey == nullptr) {
        result =
            InvalidArgument("signing key '" + path +
                            "' is not an unencrypted PEM private key: " + DrainOpenSslErrors());
      } else if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_ED25519) {
        result = InvalidArgument("signing key '" + path + "' is not an Ed25519 key");
      } else if (Result<std::string> pub = RawPublicKey(pkey.get()); !pub.ok()) {
        result = pub.status();
      } else {
        result = SigningKey(std::make_shared<const Impl>(pkey.release()), std::move(*pub));
      }
    }
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  return result;
}

Status SigningKey::SaveToFile(const std::string& path) const {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey, nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    return Internal("cannot encode the signing key: " + DrainOpenSslErrors());
  }
  char* pem = nullptr;
  const long pem_len = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, &pem);
  if (pem == nullptr || pem_len <= 0) {
    return Internal("cannot encode the signing key: " + DrainOpenSslErrors());
  }

  // Mode 0600 at creation: the key is never readable by others, not even for a moment.
  // O_EXCL also refuses an existing file or symlink, so nothing is overwritten or followed.
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0) return ErrnoStatus(errno, "cannot create signing key '" + path + "'");
  FdCloser closer(fd);

  Status status = WriteAll(fd, std::string_view(pem, static_cast<size_t>(pem_len)));
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "fsync");
  if (status.ok() && closer.Close() != 0) status = ErrnoStatus(errno, "close");
  if (!status.ok()) {
    ::unlink(path.c_str());  // We created it (O_EXCL), so removing the partial file is safe.
    return Unavailable("cannot write signing key '" + path + "': " + status.message());
  }

  // Make the new directory entry durable too. Best effort: the key file itself is complete.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

Result<std::string> SigningKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureSize, '\0');
  size_t sig_len = sig.size();
  // Ed25519 is PureEdDSA: no digest is configured, and the one-shot EVP_DigestSign is
  // required (the streaming Update/Final API is not supported for it).
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     Bytes(message), message.size()) != 1 ||
      sig_len != kEd25519SignatureSize) {
    return Internal("Ed25519 signing failed: " + DrainOpenSslErrors());
  }
  return sig;
}

bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = pkey != nullptr && ctx != nullptr &&
                  EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                                   message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace tocsin::ledger
