CREATE TABLE accounts ( -- @renamed from=old_accounts
  id INTEGER PRIMARY KEY,
  username VARCHAR(50), -- @renamed from=user_name
  note TEXT
);
