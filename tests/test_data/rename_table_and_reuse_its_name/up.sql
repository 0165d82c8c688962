BEGIN;

-- rename table lower to lower_old
ALTER TABLE "lower" RENAME TO "lower_old";

-- create table lower
CREATE TABLE "lower" (
  "id" INTEGER PRIMARY KEY,
  "w" TEXT
);
COMMIT;
