PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table nodes (change nullability, default of column name; drop foreign key (parent_id) to nodes; add foreign key (parent_id) to nodes)
CREATE TABLE "_strata_new_nodes" (
  "id" INTEGER PRIMARY KEY,
  "parent_id" INTEGER,
  "name" TEXT NOT NULL DEFAULT '',
  FOREIGN KEY ("parent_id") REFERENCES "nodes" ("id") ON DELETE CASCADE
);
INSERT INTO "_strata_new_nodes" ("id", "parent_id", "name") SELECT "id", "parent_id", COALESCE("name", '') FROM "nodes";
DROP TABLE "nodes";
ALTER TABLE "_strata_new_nodes" RENAME TO "nodes";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
