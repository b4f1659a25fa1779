-- Incidents, related items, the ledger (every timeline and audit entry) with
-- its timeline projection, and signed checkpoints.

CREATE TABLE incidents (
  seq                INTEGER PRIMARY KEY,  -- creation order; lists are newest first
  id                 TEXT NOT NULL UNIQUE,
  response_plan_id   TEXT NOT NULL,        -- no FK: deleting a plan keeps its incidents
  response_plan_name TEXT NOT NULL,
  title              TEXT NOT NULL,
  impact             INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
  status             TEXT NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
  dedupe_string      TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  resolved_at        INTEGER,
  created_by         TEXT NOT NULL,
  version            INTEGER NOT NULL CHECK (version >= 1),
  body               TEXT NOT NULL         -- JSON: summary, tags, channels, targets, trigger, ...
);
-- One OPEN incident per dedupe string is a database fact.
CREATE UNIQUE INDEX incidents_open_dedupe ON incidents(dedupe_string) WHERE status = 'OPEN';
CREATE INDEX incidents_by_status ON incidents(status, seq);
CREATE INDEX incidents_by_plan ON incidents(response_plan_id, seq);
CREATE INDEX incidents_by_creator ON incidents(created_by, seq);
-- Title search (q=); rows are kept in step by the store on insert and update.
CREATE VIRTUAL TABLE incidents_title USING fts5(title);  -- rowid = incidents.seq

CREATE TABLE related_items (
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  type        TEXT NOT NULL,
  value_kind  TEXT NOT NULL CHECK (value_kind IN ('arn', 'url', 'metricDefinition')),
  value       TEXT NOT NULL,
  title       TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,
  PRIMARY KEY (incident_id, id),
  UNIQUE (incident_id, type, value)
) WITHOUT ROWID;

-- The ledger. `body` holds the canonical bytes of the entry exactly as
-- hashed: leaf = SHA-256(0x00 || body), chain = SHA-256(0x02 || prev chain || leaf).
-- The other columns repeat body fields for indexing; the verifier checks both.
CREATE TABLE ledger (
  seq         INTEGER PRIMARY KEY,
  incident_id TEXT,
  event_id    TEXT NOT NULL,
  body        BLOB NOT NULL,
  leaf        BLOB NOT NULL CHECK (length(leaf) = 32),
  chain       BLOB NOT NULL CHECK (length(chain) = 32)
);
CREATE INDEX ledger_by_incident ON ledger(incident_id, seq) WHERE incident_id IS NOT NULL;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

-- The current revision of each logical timeline event (a projection of the
-- ledger, rebuilt from it if ever lost): what timeline listings read.
-- Events at the same event_time list in the order they were first appended.
CREATE TABLE timeline (
  incident_id TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  event_time  INTEGER NOT NULL,
  event_type  TEXT NOT NULL,
  first_seq   INTEGER NOT NULL,
  latest_seq  INTEGER NOT NULL,
  redacted    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, event_id)
) WITHOUT ROWID;
CREATE INDEX timeline_by_time ON timeline(incident_id, event_time, first_seq);

-- Signed checkpoints of the ledger (C2SP tlog-checkpoint notes). `range` is
-- the serialized compact Merkle range at `size`, so a restart resumes the
-- tree without rereading every leaf.
CREATE TABLE ledger_checkpoints (
  size       INTEGER PRIMARY KEY,
  root       BLOB NOT NULL,
  note       TEXT NOT NULL,
  range      BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
