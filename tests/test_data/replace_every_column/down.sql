BEGIN;

-- add column t.a
ALTER TABLE "t" ADD COLUMN "a" INT;

-- add column t.x
ALTER TABLE "t" ADD COLUMN "x" INT;

-- drop column t.b
-- data loss: the values of column t.b are deleted
ALTER TABLE "t" DROP COLUMN "b";

-- drop column t.y
-- data loss: the values of column t.y are deleted
ALTER TABLE "t" DROP COLUMN "y";
COMMIT;
