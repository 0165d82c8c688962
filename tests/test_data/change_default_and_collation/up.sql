PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t (change default of column status; change collation of column name)
CREATE TABLE "_strata_new_t" (
  "id" INTEGER PRIMARY KEY,
  "status" TEXT DEFAULT 'draft',
  "name" TEXT COLLATE NOCASE
);
INSERT INTO "_strata_new_t" ("id", "status", "name") SELECT "id", "status", "name" FROM "t";
DROP TABLE "t";
ALTER TABLE "_strata_new_t" RENAME TO "t";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
