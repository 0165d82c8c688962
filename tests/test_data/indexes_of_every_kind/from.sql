CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, deleted_at TEXT);
CREATE INDEX users_name ON users (name);
