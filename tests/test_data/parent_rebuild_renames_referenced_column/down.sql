PRAGMA foreign_keys = OFF;
BEGIN;

-- rename column t1.c2_r8 to c2
ALTER TABLE "t1" RENAME COLUMN "c2_r8" TO "c2";

-- rebuild table t1 (rename column c2_r8 to c2; change type of column c2)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER,
  "c3" INTEGER,
  UNIQUE ("c2")
);
INSERT INTO "_strata_new_t1" (rowid, "c2", "c3") SELECT rowid, "c2", "c3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
