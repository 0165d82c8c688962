BEGIN;

-- rename table accounts to users
ALTER TABLE "accounts" RENAME TO "users";
COMMIT;
