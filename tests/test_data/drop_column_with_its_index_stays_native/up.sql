BEGIN;

-- drop index users_legacy
DROP INDEX "users_legacy";

-- drop column users.legacy
-- data loss: the values of column users.legacy are deleted
ALTER TABLE "users" DROP COLUMN "legacy";
COMMIT;
