-- Alarms and events in: what each integration has told us about each of its
-- alerts (so a re-sent firing alert changes nothing and a resolved one finds
-- its incident), and security findings normalized from ASFF and GuardDuty.
-- Integrations and rules themselves are resources (kinds 'integration' and
-- 'rule'); an integration's ingest key is a secret (purpose 'ingest-key').

CREATE TABLE alerts (
  integration_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  alert_key      TEXT NOT NULL,          -- fingerprint, group key, alarm ARN, dedupKey, finding id
  incident_id    TEXT NOT NULL REFERENCES incidents(id),
  status         TEXT NOT NULL CHECK (status IN ('FIRING', 'RESOLVED')),
  title          TEXT NOT NULL DEFAULT '',
  first_seen     INTEGER NOT NULL,
  changed_at     INTEGER NOT NULL,
  PRIMARY KEY (integration_id, alert_key)
) WITHOUT ROWID;
CREATE INDEX alerts_firing_by_incident ON alerts(incident_id) WHERE status = 'FIRING';

CREATE TABLE findings (
  product_arn    TEXT NOT NULL,
  finding_id     TEXT NOT NULL,
  integration_id TEXT NOT NULL,          -- kept after the integration is deleted
  incident_id    TEXT REFERENCES incidents(id),
  severity_label TEXT NOT NULL,
  title          TEXT NOT NULL,
  updated_at     INTEGER NOT NULL,       -- the finding's UpdatedAt: older imports are ignored
  body           TEXT NOT NULL,          -- the normalized finding (JSON)
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (product_arn, finding_id)
) WITHOUT ROWID;
CREATE INDEX findings_by_incident ON findings(incident_id) WHERE incident_id IS NOT NULL;
