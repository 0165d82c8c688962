PRAGMA foreign_keys = OFF;
BEGIN;

-- drop trigger tr5 (recreated later)
DROP TRIGGER "tr5";

-- rebuild table t1 (change collation of column c2)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER
);
INSERT INTO "_strata_new_t1" (rowid, "c2") SELECT rowid, "c2" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

-- rebuild table t3 (drop column c6; drop check (length(c6) < 100))
CREATE TABLE "_strata_new_t3" (
  "c4" INTEGER
);
INSERT INTO "_strata_new_t3" (rowid, "c4") SELECT rowid, "c4" FROM "t3";
-- data loss: the values of column(s) c6 of table t3 are deleted
DROP TABLE "t3";
ALTER TABLE "_strata_new_t3" RENAME TO "t3";

-- create trigger tr5 on t3
CREATE TRIGGER "tr5" BEFORE INSERT ON t3 FOR EACH ROW BEGIN SELECT 1; SELECT count(*) FROM t1; END;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
