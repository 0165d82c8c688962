BEGIN;

-- add column users.org_id
ALTER TABLE "users" ADD COLUMN "org_id" INTEGER REFERENCES "orgs" ("id");
COMMIT;
