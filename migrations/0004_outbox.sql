-- Delivery: which carrier took a page and its id there (status callbacks and
-- replies name it), and the outbox of every other outgoing message:
-- activation codes and test pages for people, chat posts and signed
-- notification-target webhooks for machines.

ALTER TABLE pages ADD COLUMN provider_ref TEXT;
CREATE UNIQUE INDEX pages_by_provider_ref ON pages(provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX pages_by_address ON pages(delivery_address, seq);

CREATE TABLE outbox (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,   -- also the Idempotency-Key of webhooks
  kind          TEXT NOT NULL CHECK (kind IN ('ACTIVATION', 'TEST_PAGE', 'CHAT', 'WEBHOOK')),
  incident_id   TEXT,
  target_id     TEXT NOT NULL,          -- channel, chat channel or notification target
  event         TEXT NOT NULL,          -- incident.created, activation, test ...
  body          TEXT NOT NULL,          -- webhook/chat JSON body; people: the text
  state         TEXT NOT NULL
                CHECK (state IN ('QUEUED', 'SENDING', 'SENT', 'FAILED', 'UNKNOWN')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
  next_at       INTEGER NOT NULL,       -- earliest time of the next attempt
  last_error    TEXT NOT NULL DEFAULT '',
  provider_ref  TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  sent_at       INTEGER
);
CREATE INDEX outbox_in_flight ON outbox(next_at) WHERE state IN ('QUEUED', 'SENDING');
CREATE INDEX outbox_by_incident ON outbox(incident_id, seq) WHERE incident_id IS NOT NULL;
