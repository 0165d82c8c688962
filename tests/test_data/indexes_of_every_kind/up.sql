BEGIN;

-- drop index users_name
DROP INDEX "users_name";

-- create index users_email_live on users
CREATE UNIQUE INDEX "users_email_live" ON "users" ("email" COLLATE NOCASE) WHERE deleted_at IS NULL;

-- create index users_lower_name on users
CREATE INDEX "users_lower_name" ON "users" (lower(name), "id" DESC);

-- create index users_name on users
CREATE INDEX "users_name" ON "users" ("name" DESC);
COMMIT;
