PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table t1 (change nullability, default of column c3)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER,
  "c3" TEXT NOT NULL DEFAULT '',
  PRIMARY KEY ("c2" DESC)
);
INSERT INTO "_strata_new_t1" ("c2", "c3") SELECT "c2", COALESCE("c3", '') FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

-- rebuild table t2 (change nullability, default of column c3)
CREATE TABLE "_strata_new_t2" (
  "c2" INTEGER PRIMARY KEY DESC,
  "c3" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "_strata_new_t2" (rowid, "c2", "c3") SELECT rowid, "c2", COALESCE("c3", '') FROM "t2";
DROP TABLE "t2";
ALTER TABLE "_strata_new_t2" RENAME TO "t2";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
