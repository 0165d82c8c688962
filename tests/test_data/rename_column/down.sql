BEGIN;

-- rename column users.email_address to email
ALTER TABLE "users" RENAME COLUMN "email_address" TO "email";
COMMIT;
