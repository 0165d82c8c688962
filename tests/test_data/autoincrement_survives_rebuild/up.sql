PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table events (change nullability, default of column kind; add column at)
CREATE TABLE "_strata_new_events" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "kind" TEXT NOT NULL DEFAULT 'x',
  "at" TEXT DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "_strata_new_events" ("id", "kind") SELECT "id", COALESCE("kind", 'x') FROM "events";
DELETE FROM sqlite_sequence WHERE name = '_strata_new_events';
INSERT INTO sqlite_sequence (name, seq) SELECT '_strata_new_events', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE "events";
ALTER TABLE "_strata_new_events" RENAME TO "events";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
