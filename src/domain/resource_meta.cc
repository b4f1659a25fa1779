#include "tocsin/domain/resource_meta.h"

#include <string>

#include "tocsin/core/ids.h"

namespace tocsin::domain {

ResourceMeta NewMeta(const store::WriteTxn& txn, const Principal& who) {
  return {NewUuid(), 1, txn.Now(), txn.Now(), who.id, who.id};
}

ResourceMeta NextMeta(const store::WriteTxn& txn, const Principal& who,
                      const ResourceMeta& current) {
  ResourceMeta m = current;
  m.version = current.version + 1;
  m.updated_at = txn.Now();
  m.updated_by = who.id;
  return m;
}

Status CheckVersion(const ResourceMeta& current, std::optional<int64_t> expected,
                    const char* what) {
  if (expected && *expected != current.version) {
    return Aborted(std::string(what) + " is at version " + std::to_string(current.version) +
                   ", not " + std::to_string(*expected) + " (If-Match)");
  }
  return Status::Ok();
}

}  // namespace tocsin::domain
