BEGIN;

-- add column users.legacy
ALTER TABLE "users" ADD COLUMN "legacy" TEXT;
COMMIT;
