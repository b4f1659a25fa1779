#include <algorithm>
#include <cctype>

#include "tocsin/domain/contact_service.h"

namespace tocsin::domain {

Status ValidateAlias(std::string_view alias, const std::string& field) {
  if (alias.empty() || alias.size() > 255) {
    return InvalidArgument(field + " must be 1 to 255 characters", field);
  }
  for (char c : alias) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return InvalidArgument(field + " may contain only a-z, 0-9, '_' and '-'", field);
    }
  }
  return Status::Ok();
}

Status ValidateName(std::string_view name, size_t max_len, const std::string& field) {
  if (name.empty() || name.size() > max_len) {
    return InvalidArgument(field + " must be 1 to " + std::to_string(max_len) + " characters",
                           field);
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return InvalidArgument(field + " may contain only letters, digits, '_' and '-'", field);
    }
  }
  return Status::Ok();
}

Status ValidateDisplayName(std::string_view name, const std::string& field) {
  // AWS allows letters, separators, digits and "_.-" in any script; we accept
  // any printable text and refuse only control characters, which break logs
  // and terminals.
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument(field + " must not contain control characters", field);
    }
  }
  return Status::Ok();
}

Status ValidateTags(const std::map<std::string, std::string>& tags, const std::string& field) {
  for (const auto& [key, value] : tags) {
    if (key.rfind("aws:", 0) == 0) {
      return InvalidArgument(field + " keys must not start with \"aws:\"", field + "." + key);
    }
    for (char c : key + value) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return InvalidArgument(field + " must not contain control characters", field + "." + key);
      }
    }
  }
  return Status::Ok();
}

bool IsE164(std::string_view number) {
  // "+" then 7..15 digits, the first not 0 (ITU-T E.164 numbers are at most 15 digits).
  if (number.size() < 8 || number.size() > 16 || number[0] != '+' || number[1] == '0') return false;
  return std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsEmailAddress(std::string_view address) {
  // A pragmatic subset of RFC 5321 mailbox syntax: local@domain, an unquoted
  // dot-atom local part, and a domain of dot-separated labels with a dot.
  if (address.size() > 254) return false;
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const auto local = address.substr(0, at);
  const auto domain = address.substr(at + 1);
  static constexpr std::string_view kLocalSpecials = "!#$%&'*+/=?^_`{|}~.-";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : local) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        kLocalSpecials.find(c) == std::string_view::npos) {
      return false;
    }
  }
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

Status ValidateDeliveryAddress(ChannelType type, std::string_view address,
                               const std::string& field) {
  if (type == ChannelType::kEmail) {
    if (!IsEmailAddress(address)) {
      return InvalidArgument(field + " must be an email address like alice@example.com", field);
    }
  } else if (!IsE164(address)) {
    return InvalidArgument(field + " must be an E.164 phone number like +14155550100", field);
  }
  return Status::Ok();
}

}  // namespace tocsin::domain
