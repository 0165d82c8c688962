CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE INDEX users_email ON users (email);
CREATE VIEW v_users AS SELECT id, email FROM users;
