PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table users (add unique (email); drop check (age > -100); add check (age >= 0))
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "email" TEXT,
  "age" INT,
  UNIQUE ("email"),
  CONSTRAINT "age_ok" CHECK (age >= 0)
);
INSERT INTO "_strata_new_users" ("id", "email", "age") SELECT "id", "email", "age" FROM "users";
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
