PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table events (change nullability, default of column kind; drop column at)
CREATE TABLE "_strata_new_events" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "kind" TEXT
);
INSERT INTO "_strata_new_events" ("id", "kind") SELECT "id", "kind" FROM "events";
DELETE FROM sqlite_sequence WHERE name = '_strata_new_events';
INSERT INTO sqlite_sequence (name, seq) SELECT '_strata_new_events', seq FROM sqlite_sequence WHERE name = 'events';
-- data loss: the values of column(s) at of table events are deleted
DROP TABLE "events";
ALTER TABLE "_strata_new_events" RENAME TO "events";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
