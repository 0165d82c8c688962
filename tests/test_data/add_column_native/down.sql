PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table users (drop column age; drop column nick; drop check (age >= 0))
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT
);
INSERT INTO "_strata_new_users" ("id", "name") SELECT "id", "name" FROM "users";
-- data loss: the values of column(s) age, nick of table users are deleted
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
