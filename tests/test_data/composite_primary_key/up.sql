PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table memberships (change primary key)
CREATE TABLE "_strata_new_memberships" (
  "user_id" INTEGER NOT NULL,
  "group_id" INTEGER NOT NULL,
  "role" TEXT,
  PRIMARY KEY ("user_id", "group_id")
);
INSERT INTO "_strata_new_memberships" (rowid, "user_id", "group_id", "role") SELECT rowid, "user_id", "group_id", "role" FROM "memberships";
DROP TABLE "memberships";
ALTER TABLE "_strata_new_memberships" RENAME TO "memberships";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
