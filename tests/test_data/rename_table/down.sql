BEGIN;

-- rename table users to accounts
ALTER TABLE "users" RENAME TO "accounts";
COMMIT;
