CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy TEXT);
CREATE VIEW v AS SELECT id, legacy FROM users;
CREATE INDEX users_email ON users (email);
