BEGIN;

-- add column users.age
ALTER TABLE "users" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 0 CHECK (age >= 0);

-- add column users.nick
ALTER TABLE "users" ADD COLUMN "nick" TEXT COLLATE NOCASE;
COMMIT;
