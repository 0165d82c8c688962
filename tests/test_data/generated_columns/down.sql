PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table people (change generated definition of column full; drop column initials)
CREATE TABLE "_strata_new_people" (
  "first" TEXT,
  "last" TEXT,
  "full" TEXT GENERATED ALWAYS AS (first || ' ' || last) VIRTUAL
);
INSERT INTO "_strata_new_people" (rowid, "first", "last") SELECT rowid, "first", "last" FROM "people";
-- data loss: the values of column(s) initials of table people are deleted
DROP TABLE "people";
ALTER TABLE "_strata_new_people" RENAME TO "people";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
