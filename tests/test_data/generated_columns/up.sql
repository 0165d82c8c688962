PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table people (change generated definition of column full; add column initials)
CREATE TABLE "_strata_new_people" (
  "first" TEXT,
  "last" TEXT,
  "full" TEXT GENERATED ALWAYS AS (last || ', ' || first) STORED,
  "initials" TEXT GENERATED ALWAYS AS (substr(first, 1, 1)) VIRTUAL
);
INSERT INTO "_strata_new_people" (rowid, "first", "last") SELECT rowid, "first", "last" FROM "people";
DROP TABLE "people";
ALTER TABLE "_strata_new_people" RENAME TO "people";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
