PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t1 (add column rowid; drop column oid)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER,
  "rowid" INTEGER
);
INSERT INTO "_strata_new_t1" (_rowid_, "c2") SELECT _rowid_, "c2" FROM "t1";
-- data loss: the values of column(s) oid of table t1 are deleted
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
