PRAGMA foreign_keys = OFF;
BEGIN;

-- drop view adult_names while its tables change
DROP VIEW "adult_names";

-- drop view adults while its tables change
DROP VIEW "adults";

-- rebuild table users (change type of column age)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT,
  "age" INTEGER
);
INSERT INTO "_strata_new_users" ("id", "name", "age") SELECT "id", "name", "age" FROM "users";
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

-- create view adults
CREATE VIEW "adults" AS SELECT id, name FROM users WHERE age >= 18;

-- create view adult_names
CREATE VIEW "adult_names" AS SELECT name FROM adults;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
