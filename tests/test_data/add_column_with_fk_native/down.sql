PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table users (drop column org_id; drop foreign key (org_id) to orgs)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT
);
INSERT INTO "_strata_new_users" ("id", "name") SELECT "id", "name" FROM "users";
-- data loss: the values of column(s) org_id of table users are deleted
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
