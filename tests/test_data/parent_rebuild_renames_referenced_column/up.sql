PRAGMA foreign_keys = OFF;
BEGIN;

-- rename column t1.c2 to c2_r8
ALTER TABLE "t1" RENAME COLUMN "c2" TO "c2_r8";

-- rebuild table t1 (rename column c2 to c2_r8; change type of column c2_r8)
CREATE TABLE "_strata_new_t1" (
  "c2_r8" INT,
  "c3" INTEGER,
  UNIQUE ("c2_r8")
);
INSERT INTO "_strata_new_t1" (rowid, "c2_r8", "c3") SELECT rowid, "c2_r8", "c3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
