// Typed repositories: ResourceWriter<T> over the generic ResourceTable, with a
// ResourceTraits<T> specialization per resource type saying which kinds,
// namespace and JSON document it uses (traits.cc).
#pragma once

#include <string>
#include <unordered_map>

#include "store/resource_table.h"
#include "tocsin/codec/json_reader.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

template <typename T>
struct ResourceTraits;  // Specialized in traits.cc for every resource type:
// static const KindSet& Kinds();
// static const char* Kind(const T&);
// static std::string Name(const T&);
// static std::string Parent(const T&);
// static codec::Json Encode(const T&);
// static Status Decode(const codec::Json&, T&);

template <typename T>
class SqliteRepo final : public ResourceWriter<T> {
  using Traits = ResourceTraits<T>;

 public:
  explicit SqliteRepo(Db& db) : table_(db) {}

  // tocsin::store::ResourceReader
  Result<T> Get(std::string_view id_or_name) override {
    auto row = table_.Get(Traits::Kinds(), id_or_name);
    if (!row.ok()) return row.status();
    auto cached = decoded_.find(row->id);
    if (cached != decoded_.end() && cached->second.row == *row) return cached->second.value;
    auto value = FromRow(*row);
    if (!value.ok()) return value.status();
    if (decoded_.size() >= kMaxDecoded) decoded_.clear();
    std::string id = row->id;
    decoded_.insert_or_assign(std::move(id), Decoded{std::move(*row), *value});
    return value;
  }

  Result<Page<T>> List(const ListOptions& options) override {
    auto rows = table_.List(Traits::Kinds(), options);
    if (!rows.ok()) return rows.status();
    Page<T> page;
    page.next_cursor = std::move(rows->next_cursor);
    page.items.reserve(rows->items.size());
    for (const auto& row : rows->items) {
      auto value = FromRow(row);
      if (!value.ok()) return value.status();
      page.items.push_back(std::move(*value));
    }
    return page;
  }

  // tocsin::store::ResourceWriter
  Status Insert(const T& value, const std::vector<std::string>& refs) override {
    return table_.Insert(Traits::Kinds(), ToRow(value), refs);
  }
  Status Update(const T& value, const std::vector<std::string>& refs) override {
    return table_.Update(Traits::Kinds(), ToRow(value), refs);
  }
  Status Delete(std::string_view id) override { return table_.Delete(Traits::Kinds(), id); }

 private:
  static RecordRow ToRow(const T& value) {
    RecordRow row;
    row.id = value.meta.id;
    row.kind = Traits::Kind(value);
    row.name = Traits::Name(value);
    row.parent_id = Traits::Parent(value);
    row.version = value.meta.version;
    row.body = codec::Dump(Traits::Encode(value));
    row.created_at = ToUnixMillis(value.meta.created_at);
    row.updated_at = ToUnixMillis(value.meta.updated_at);
    row.created_by = value.meta.created_by;
    row.updated_by = value.meta.updated_by;
    return row;
  }

  static Result<T> FromRow(const RecordRow& row) {
    auto json = codec::ParseJson(row.body);
    if (!json.ok()) return Internal("stored " + row.kind + " " + row.id + " is not JSON");
    T value;
    Status s = Traits::Decode(*json, value);
    if (!s.ok())
      return Internal("stored " + row.kind + " " + row.id + " is invalid: " + s.message());
    value.meta.id = row.id;
    value.meta.version = row.version;
    value.meta.created_at = FromUnixMillis(row.created_at);
    value.meta.updated_at = FromUnixMillis(row.updated_at);
    value.meta.created_by = row.created_by;
    value.meta.updated_by = row.updated_by;
    return value;
  }

  // Decoding a stored document costs more than reading its row, and the
  // engine reads the same few people and channels for every page it creates.
  // So Get keeps the last decoded value of each row it read and reuses it
  // while the row is byte-for-byte the same: nothing to invalidate, so
  // nothing to get wrong. A repository belongs to one connection, which one
  // thread uses at a time, so the cache needs no lock.
  struct Decoded {
    RecordRow row;
    T value;
  };
  static constexpr size_t kMaxDecoded = 256;
  std::unordered_map<std::string, Decoded> decoded_;

  ResourceTable table_;
};

}  // namespace tocsin::store
