PRAGMA foreign_keys = OFF;
BEGIN;

-- rename column users.user_name to username
ALTER TABLE "users" RENAME COLUMN "user_name" TO "username";

-- rebuild table users (rename column user_name to username; change type, nullability, default of column username)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "username" VARCHAR(100),
  "age" INT
);
INSERT INTO "_strata_new_users" ("id", "username", "age") SELECT "id", "username", "age" FROM "users";
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
