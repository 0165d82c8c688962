CREATE TABLE t1 (full_name TEXT, -- @renamed from=name
c3 INTEGER, name TEXT);
CREATE INDEX i6 ON t1 (full_name);
CREATE VIEW v5 AS SELECT full_name FROM t1;
