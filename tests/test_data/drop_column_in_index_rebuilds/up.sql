PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table users (drop column legacy)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "email" TEXT
);
INSERT INTO "_strata_new_users" ("id", "email") SELECT "id", "email" FROM "users";
-- data loss: the values of column(s) legacy of table users are deleted
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
