BEGIN;

-- drop view v while its tables change
DROP VIEW "v";

-- add column users.legacy
ALTER TABLE "users" ADD COLUMN "legacy" TEXT;

-- create view v
CREATE VIEW "v" AS SELECT id, legacy FROM users;
COMMIT;
