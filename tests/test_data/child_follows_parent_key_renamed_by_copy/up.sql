PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t1 (rename column c2 to c2_r6)
CREATE TABLE "_strata_new_t1" (
  "c2_r6" INTEGER PRIMARY KEY,
  "c3" INTEGER,
  UNIQUE ("c2_r6", "c3")
) WITHOUT ROWID;
INSERT INTO "_strata_new_t1" ("c2_r6", "c3") SELECT "c2", "c3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

-- rebuild table t3 (its foreign key follows a parent column renamed by copying)
CREATE TABLE "_strata_new_t3" (
  "c4" INTEGER,
  "f5" INTEGER,
  FOREIGN KEY ("f5") REFERENCES "t1" ("c2_r6")
);
INSERT INTO "_strata_new_t3" (rowid, "c4", "f5") SELECT rowid, "c4", "f5" FROM "t3";
DROP TABLE "t3";
ALTER TABLE "_strata_new_t3" RENAME TO "t3";

-- create index t3_f5 on t3
CREATE INDEX "t3_f5" ON "t3" ("f5");

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
