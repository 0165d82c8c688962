CREATE TABLE t1 (full_name TEXT NOT NULL DEFAULT '', -- @renamed from=name
c3 INTEGER, name TEXT);
