CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL DEFAULT '', -- @renamed from=username
  age INT
);
