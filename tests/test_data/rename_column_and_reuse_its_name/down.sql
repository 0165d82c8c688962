PRAGMA foreign_keys = OFF;
BEGIN;

-- drop view v5 while its tables change
DROP VIEW "v5";

-- rebuild table t1 (drop column name; rename column full_name to name)
CREATE TABLE "_strata_new_t1" (
  "name" TEXT,
  "c3" INTEGER
);
INSERT INTO "_strata_new_t1" (rowid, "name", "c3") SELECT rowid, "full_name", "c3" FROM "t1";
-- data loss: the values of column(s) name of table t1 are deleted
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

-- create index i6 on t1
CREATE INDEX "i6" ON "t1" ("name");

-- create view v5
CREATE VIEW "v5" AS SELECT name FROM t1;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
