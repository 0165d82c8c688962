PRAGMA foreign_keys = OFF;
BEGIN;

-- drop trigger tr11
DROP TRIGGER "tr11";

-- drop column t 6.f10
-- data loss: the values of column t 6.f10 are deleted
ALTER TABLE "t 6" DROP COLUMN "f10";

-- rebuild table t1 (drop foreign key (f3) to t1)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER PRIMARY KEY,
  "f3" INTEGER
);
INSERT INTO "_strata_new_t1" ("c2", "f3") SELECT "c2", "f3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
