PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t9 (rename column c11 to c11_r14)
CREATE TABLE "_strata_new_t9" (
  "c10" INTEGER,
  "c11_r14" INTEGER PRIMARY KEY,
  UNIQUE ("c11_r14", "c10")
) WITHOUT ROWID;
INSERT INTO "_strata_new_t9" ("c10", "c11_r14") SELECT "c10", "c11" FROM "t9";
DROP TABLE "t9";
ALTER TABLE "_strata_new_t9" RENAME TO "t9";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
