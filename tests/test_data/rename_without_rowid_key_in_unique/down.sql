PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t9 (rename column c11_r14 to c11)
CREATE TABLE "_strata_new_t9" (
  "c10" INTEGER,
  "c11" INTEGER PRIMARY KEY,
  UNIQUE ("c11", "c10")
) WITHOUT ROWID;
INSERT INTO "_strata_new_t9" ("c10", "c11") SELECT "c10", "c11_r14" FROM "t9";
DROP TABLE "t9";
ALTER TABLE "_strata_new_t9" RENAME TO "t9";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
