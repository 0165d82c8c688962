CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT -- @renamed from=email
);
CREATE INDEX users_email ON users (email_address);
CREATE VIEW v_users AS SELECT id, email_address FROM users;
