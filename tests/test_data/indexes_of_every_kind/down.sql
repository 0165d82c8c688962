BEGIN;

-- drop index users_email_live
DROP INDEX "users_email_live";

-- drop index users_lower_name
DROP INDEX "users_lower_name";

-- drop index users_name
DROP INDEX "users_name";

-- create index users_name on users
CREATE INDEX "users_name" ON "users" ("name");
COMMIT;
