BEGIN;

-- add column t.b
ALTER TABLE "t" ADD COLUMN "b" INT;

-- add column t.y
ALTER TABLE "t" ADD COLUMN "y" INT;

-- drop column t.a
-- data loss: the values of column t.a are deleted
ALTER TABLE "t" DROP COLUMN "a";

-- drop column t.x
-- data loss: the values of column t.x are deleted
ALTER TABLE "t" DROP COLUMN "x";
COMMIT;
