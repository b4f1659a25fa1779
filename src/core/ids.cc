#include "tocsin/core/ids.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <sys/random.h>

namespace tocsin {
namespace {

void Fill(unsigned char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::perror("getrandom");
      std::abort();
    }
    done += static_cast<size_t>(got);
  }
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  Fill(reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

namespace {

// xoshiro256** seeded from the kernel, one per thread: a getrandom(2) per id
// costs a system call, which showed in request profiles.
class FastRandom {
 public:
  FastRandom() { Fill(reinterpret_cast<unsigned char*>(s_), sizeof(s_)); }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace

std::string NewUuid() {
  thread_local FastRandom random;
  unsigned char b[16];
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  const uint64_t r1 = random.Next();
  const uint64_t r2 = random.Next();
  for (int i = 0; i < 2; ++i) b[6 + i] = static_cast<unsigned char>(r1 >> (8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(r2 >> (8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

std::string RandomDigits(size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    unsigned char b[16];
    Fill(b, sizeof(b));
    for (unsigned char c : b) {
      // Reject 250..255 so that every digit is equally likely.
      if (c < 250 && out.size() < n) out.push_back(static_cast<char>('0' + c % 10));
    }
  }
  return out;
}

std::string RandomToken(size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string raw = RandomBytes(bytes);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : raw) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

}  // namespace tocsin
