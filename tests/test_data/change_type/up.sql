PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table items (change type of column price)
CREATE TABLE "_strata_new_items" (
  "id" INTEGER PRIMARY KEY,
  "price" REAL,
  "qty" INTEGER
);
INSERT INTO "_strata_new_items" ("id", "price", "qty") SELECT "id", "price", "qty" FROM "items";
DROP TABLE "items";
ALTER TABLE "_strata_new_items" RENAME TO "items";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
