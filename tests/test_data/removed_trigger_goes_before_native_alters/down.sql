PRAGMA foreign_keys = OFF;
BEGIN;

-- add column t 6.f10
ALTER TABLE "t 6" ADD COLUMN "f10" INTEGER;

-- rebuild table t1 (add foreign key (f3) to t1)
CREATE TABLE "_strata_new_t1" (
  "c2" INTEGER PRIMARY KEY,
  "f3" INTEGER,
  CONSTRAINT "fk_3" FOREIGN KEY ("f3") REFERENCES "t1" ("c2")
);
INSERT INTO "_strata_new_t1" ("c2", "f3") SELECT "c2", "f3" FROM "t1";
DROP TABLE "t1";
ALTER TABLE "_strata_new_t1" RENAME TO "t1";

-- create trigger tr11 on t1
CREATE TRIGGER "tr11" AFTER INSERT ON t1 FOR EACH ROW BEGIN SELECT 1; SELECT count(f10) FROM "t 6"; END;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
