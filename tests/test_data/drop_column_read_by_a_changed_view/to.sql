CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE VIEW v AS SELECT id FROM users;
CREATE INDEX users_email ON users (email);
