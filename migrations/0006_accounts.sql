-- Dashboard accounts: people who log in with a name and password, and their
-- sessions. API keys stay the credential of scripts and alarms (0001).
-- Passwords are stored as scrypt hashes, session tokens as SHA-256.

CREATE TABLE users (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'responder', 'viewer')),
  password_hash TEXT NOT NULL,          -- "scrypt$<log2 N>$<r>$<p>$<salt>$<key>"
  version       INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  updated_by    TEXT NOT NULL
);

CREATE TABLE sessions (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash    BLOB NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,      -- idle expiry counts from here
  expires_at    INTEGER NOT NULL       -- absolute expiry
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
