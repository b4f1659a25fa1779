-- Engagements, their runs (the contacts being executed), pages, receipts, and
-- the scheduler's durable jobs. Contacts and channels are referenced without
-- foreign keys: the history of a page outlives the contact it reached.

CREATE TABLE engagements (
  seq            INTEGER PRIMARY KEY,  -- creation order; lists are newest first
  id             TEXT NOT NULL UNIQUE,
  contact_id     TEXT NOT NULL,
  contact_alias  TEXT NOT NULL,
  contact_type   TEXT NOT NULL,
  sender         TEXT NOT NULL,
  subject        TEXT NOT NULL,
  content        TEXT NOT NULL,
  public_subject TEXT NOT NULL DEFAULT '',
  public_content TEXT NOT NULL DEFAULT '',
  incident_id    TEXT,
  state          TEXT NOT NULL
                 CHECK (state IN ('ENGAGED', 'ACKNOWLEDGED', 'STOPPED', 'UNACKNOWLEDGED')),
  started_at     INTEGER NOT NULL,
  stopped_at     INTEGER,
  stop_reason    TEXT NOT NULL DEFAULT '',
  created_by     TEXT NOT NULL
);
CREATE INDEX engagements_by_incident ON engagements(incident_id, seq) WHERE incident_id IS NOT NULL;
CREATE INDEX engagements_by_state ON engagements(state, seq);

CREATE TABLE engagement_runs (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  engagement_id TEXT NOT NULL REFERENCES engagements(id),
  parent_id     TEXT,
  contact_id    TEXT NOT NULL,
  contact_alias TEXT NOT NULL,
  kind          TEXT NOT NULL,
  parent_stage  INTEGER NOT NULL,
  essential     INTEGER NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('ACTIVE', 'ACKNOWLEDGED', 'DONE', 'STOPPED')),
  stage         INTEGER NOT NULL,
  pass          INTEGER NOT NULL
);
CREATE INDEX engagement_runs_by_engagement ON engagement_runs(engagement_id, seq);

CREATE TABLE pages (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  engagement_id    TEXT NOT NULL REFERENCES engagements(id),
  run_id           TEXT NOT NULL REFERENCES engagement_runs(id),
  contact_id       TEXT NOT NULL,
  contact_alias    TEXT NOT NULL,
  channel_id       TEXT NOT NULL,
  channel_type     TEXT NOT NULL,
  delivery_address TEXT NOT NULL,
  incident_id      TEXT,
  stage            INTEGER NOT NULL,
  pass             INTEGER NOT NULL,
  attempt          INTEGER NOT NULL CHECK (attempt >= 1),
  state            TEXT NOT NULL
                   CHECK (state IN ('QUEUED', 'SENDING', 'SENT', 'FAILED', 'UNKNOWN', 'CANCELLED')),
  code_hash        TEXT NOT NULL DEFAULT '',
  token_hash       TEXT,
  code_failures    INTEGER NOT NULL DEFAULT 0,
  acknowledged     INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER,
  delivered_at     INTEGER,
  read_at          INTEGER,
  -- One page per (engagement run, channel, stage pass, attempt): a job that
  -- somehow ran twice could not page twice.
  UNIQUE (run_id, channel_id, pass, stage, attempt)
);
CREATE INDEX pages_by_engagement ON pages(engagement_id, seq);
CREATE INDEX pages_by_contact ON pages(contact_id, seq);
CREATE INDEX pages_by_incident ON pages(incident_id, seq) WHERE incident_id IS NOT NULL;
CREATE UNIQUE INDEX pages_by_token ON pages(token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX pages_in_flight ON pages(state, seq) WHERE state IN ('QUEUED', 'SENDING');

CREATE TABLE page_receipts (
  page_id TEXT NOT NULL REFERENCES pages(id),
  seq     INTEGER NOT NULL,
  type    TEXT NOT NULL CHECK (type IN ('SENT', 'DELIVERED', 'READ', 'ERROR', 'STOP')),
  info    TEXT NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (page_id, seq)
) WITHOUT ROWID;

-- Timers are data: the scheduler's heap is a cache of the PENDING rows.
CREATE TABLE jobs (
  id       INTEGER PRIMARY KEY,
  due_at   INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  owner    TEXT NOT NULL,
  ref      TEXT NOT NULL,
  arg      TEXT NOT NULL DEFAULT '',
  step     INTEGER NOT NULL DEFAULT 0,
  round    INTEGER NOT NULL DEFAULT 0,
  attempt  INTEGER NOT NULL DEFAULT 0,
  state    TEXT NOT NULL CHECK (state IN ('PENDING', 'DONE', 'CANCELLED')),
  fired_at INTEGER
);
CREATE INDEX jobs_pending_by_owner ON jobs(owner) WHERE state = 'PENDING';
CREATE INDEX jobs_pending ON jobs(id) WHERE state = 'PENDING';
