PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t1 (drop column name; rename column full_name to name; change nullability, default of column name)
CREATE TABLE "_strata_new_t1" (
  "name" TEXT,
  "c3" INTEGER
);
INSERT INTO "_strata_new_t1" (rowid, "name", "c3") SELECT rowid, "full_name", "c3" FROM "t1";
-- data loss: the values of column(s) name of table t1 are deleted
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
