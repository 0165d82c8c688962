PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table items (change nullability, default of column name)
CREATE TABLE "_strata_new_items" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT
);
INSERT INTO "_strata_new_items" ("id", "name") SELECT "id", "name" FROM "items";
DROP TABLE "items";
ALTER TABLE "_strata_new_items" RENAME TO "items";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
