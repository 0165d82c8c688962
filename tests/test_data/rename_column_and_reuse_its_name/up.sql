BEGIN;

-- rename column t1.name to full_name
ALTER TABLE "t1" RENAME COLUMN "name" TO "full_name";

-- add column t1.name
ALTER TABLE "t1" ADD COLUMN "name" TEXT;
COMMIT;
