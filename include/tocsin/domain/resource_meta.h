// Versioning of configuration resources, shared by the services that write
// them: a new resource's metadata, the next version's, and the If-Match check.
#pragma once

#include <cstdint>
#include <optional>

#include "tocsin/core/status.h"
#include "tocsin/domain/principal.h"
#include "tocsin/domain/resource.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

// Version 1 with a fresh id, created and updated now by `who`.
ResourceMeta NewMeta(const store::WriteTxn& txn, const Principal& who);
// `current` one version on, updated now by `who`.
ResourceMeta NextMeta(const store::WriteTxn& txn, const Principal& who,
                      const ResourceMeta& current);
// kAborted, naming `what`, when `expected` is set and is not current.version.
Status CheckVersion(const ResourceMeta& current, std::optional<int64_t> expected, const char* what);

}  // namespace tocsin::domain
