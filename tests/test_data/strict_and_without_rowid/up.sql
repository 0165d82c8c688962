PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table kv (make WITHOUT ROWID)
CREATE TABLE "_strata_new_kv" (
  "k" TEXT PRIMARY KEY NOT NULL,
  "v" INTEGER
) WITHOUT ROWID;
INSERT INTO "_strata_new_kv" ("k", "v") SELECT "k", "v" FROM "kv";
DROP TABLE "kv";
ALTER TABLE "_strata_new_kv" RENAME TO "kv";

-- rebuild table nums (make strict)
CREATE TABLE "_strata_new_nums" (
  "n" INTEGER
) STRICT;
INSERT INTO "_strata_new_nums" (rowid, "n") SELECT rowid, "n" FROM "nums";
DROP TABLE "nums";
ALTER TABLE "_strata_new_nums" RENAME TO "nums";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
