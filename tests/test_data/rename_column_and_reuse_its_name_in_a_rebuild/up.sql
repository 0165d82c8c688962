PRAGMA foreign_keys = OFF;
BEGIN;

-- rename column t1.name to full_name
ALTER TABLE "t1" RENAME COLUMN "name" TO "full_name";

-- rebuild table t1 (rename column name to full_name; change nullability, default of column full_name; add column name)
CREATE TABLE "_strata_new_t1" (
  "full_name" TEXT NOT NULL DEFAULT '',
  "c3" INTEGER,
  "name" TEXT
);
INSERT INTO "_strata_new_t1" (rowid, "full_name", "c3") SELECT rowid, COALESCE("full_name", ''), "c3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
