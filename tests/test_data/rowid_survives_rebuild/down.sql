PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table notes (change nullability, default of column body)
CREATE TABLE "_strata_new_notes" (
  "body" TEXT,
  "n" INT
);
INSERT INTO "_strata_new_notes" (rowid, "body", "n") SELECT rowid, "body", "n" FROM "notes";
DROP TABLE "notes";
ALTER TABLE "_strata_new_notes" RENAME TO "notes";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
