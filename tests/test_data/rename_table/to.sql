CREATE TABLE users /* @renamed from=accounts */ (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES users(id));
