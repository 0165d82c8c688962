CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy TEXT);
CREATE INDEX users_legacy ON users (legacy, email);
