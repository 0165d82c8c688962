PRAGMA foreign_keys = OFF;
BEGIN;

-- rename column users.username to user_name
ALTER TABLE "users" RENAME COLUMN "username" TO "user_name";

-- rebuild table users (rename column username to user_name; change type, nullability, default of column user_name)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "user_name" TEXT NOT NULL DEFAULT '',
  "age" INT
);
INSERT INTO "_strata_new_users" ("id", "user_name", "age") SELECT "id", COALESCE("user_name", ''), "age" FROM "users";
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
