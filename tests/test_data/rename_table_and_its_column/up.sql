BEGIN;

-- rename table old_accounts to accounts
ALTER TABLE "old_accounts" RENAME TO "accounts";

-- rename column accounts.user_name to username
ALTER TABLE "accounts" RENAME COLUMN "user_name" TO "username";
COMMIT;
