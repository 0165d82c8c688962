BEGIN;

-- add column users.legacy
ALTER TABLE "users" ADD COLUMN "legacy" TEXT;

-- create index users_legacy on users
CREATE INDEX "users_legacy" ON "users" ("legacy", "email");
COMMIT;
