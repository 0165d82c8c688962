CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, deleted_at TEXT);
CREATE INDEX users_name ON users (name DESC);
CREATE UNIQUE INDEX users_email_live ON users (email COLLATE NOCASE) WHERE deleted_at IS NULL;
CREATE INDEX users_lower_name ON users (lower(name), id DESC);
