-- Configuration resources, the references between them, one-time secrets,
-- API keys and idempotency records.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Every configuration object (contacts of all types, channels, rotations,
-- overrides, response plans, notification targets, chat channels, ...) is a
-- row here; its type-specific fields are a JSON document in `body`. `seq`
-- orders listings (keyset pagination, stable under inserts).
CREATE TABLE resources (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  ns         TEXT,             -- namespace in which `name` is unique; NULL: not unique
  name       TEXT,
  parent_id  TEXT REFERENCES resources(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL CHECK (version >= 1),
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX resources_unique_name ON resources(ns, name) WHERE ns IS NOT NULL;
CREATE INDEX resources_by_kind ON resources(kind, seq);
CREATE INDEX resources_by_parent ON resources(parent_id, seq) WHERE parent_id IS NOT NULL;

-- src references dst. Deleting src drops its references; deleting a dst that
-- is still referenced fails at the end of the statement (NO ACTION), so a
-- reference can never dangle even if application checks were bypassed.
CREATE TABLE refs (
  src_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  dst_id TEXT NOT NULL REFERENCES resources(id),
  PRIMARY KEY (src_id, dst_id)
) WITHOUT ROWID;
CREATE INDEX refs_by_dst ON refs(dst_id, src_id);

CREATE TABLE secrets (
  owner_id        TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  purpose         TEXT NOT NULL,
  hash            BLOB NOT NULL,
  expires_at      INTEGER NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (owner_id, purpose)
) WITHOUT ROWID;

CREATE TABLE api_keys (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'responder', 'viewer', 'integration')),
  key_hash   BLOB NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  expires_at INTEGER
);

-- Replays for clientToken / Idempotency-Key: the first response of a request,
-- keyed by (scope, key); a different request under the same key is a conflict.
CREATE TABLE idempotency (
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency(created_at);
