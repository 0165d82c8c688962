BEGIN;

-- rename table accounts to old_accounts
ALTER TABLE "accounts" RENAME TO "old_accounts";

-- rename column old_accounts.username to user_name
ALTER TABLE "old_accounts" RENAME COLUMN "username" TO "user_name";
COMMIT;
