BEGIN;

-- rename column users.email to email_address
ALTER TABLE "users" RENAME COLUMN "email" TO "email_address";
COMMIT;
