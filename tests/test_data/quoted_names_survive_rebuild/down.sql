PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table order items (change nullability, default of column we"ird; change generated definition of column g3)
CREATE TABLE "_strata_new_order items" (
  "c 2" INTEGER,
  "we""ird" TEXT,
  "g3" INTEGER GENERATED ALWAYS AS (length("c 2")) VIRTUAL
);
INSERT INTO "_strata_new_order items" (rowid, "c 2", "we""ird") SELECT rowid, "c 2", "we""ird" FROM "order items";
DROP TABLE "order items";
ALTER TABLE "_strata_new_order items" RENAME TO "order items";

-- create index i 4 on order items
CREATE INDEX "i 4" ON "order items" ("c 2", "we""ird" DESC);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
