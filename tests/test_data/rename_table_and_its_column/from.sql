CREATE TABLE old_accounts (id INTEGER PRIMARY KEY, user_name VARCHAR(50), note TEXT);
