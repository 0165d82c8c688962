-- upgrade
-- strata revision 1111next (upgrade): case sqlmodel_users_v2
-- PostgreSQL runs DDL inside the transaction: the whole revision commits or none of it does.
-- ALTER TABLE takes an ACCESS EXCLUSIVE lock on its table; the lock timeout makes a migration
-- that waits behind a long query fail quickly instead of stalling every query queued behind it.
-- CHECK, generated column, view and index expressions are copied as SQLite has them; SQLite's loose
-- typing accepts some that PostgreSQL rejects (length() of a number, text compared with a number).
BEGIN;
SET LOCAL lock_timeout = '5s';

DROP INDEX "ix_usertable_email";

-- NOTE: column userpreferences.user_id is CHAR(32), SQLAlchemy's SQLite form of uuid.UUID; PostgreSQL has a native UUID type
CREATE TABLE "userpreferences" (
  "user_id" UUID NOT NULL,
  "theme" VARCHAR NOT NULL DEFAULT 'light',
  "newsletter" BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY ("user_id"),
  FOREIGN KEY ("user_id") REFERENCES "usertable" ("id")
);

-- alter table usertable in place (change type of column first_name; change nullability of column last_name; add column phone); SQLite rebuilds it or alters it natively
ALTER TABLE "usertable" ADD COLUMN "phone" VARCHAR(20);
-- converts every value of usertable.first_name; a value that does not convert fails the migration
ALTER TABLE "usertable" ALTER COLUMN "first_name" TYPE VARCHAR(200) USING "first_name"::VARCHAR(200);
ALTER TABLE "usertable" ALTER COLUMN "last_name" DROP NOT NULL;

-- on a large table in use, run this as CREATE INDEX CONCURRENTLY, outside the transaction: it then
-- does not block writes while it builds
CREATE UNIQUE INDEX "ix_usertable_email" ON "usertable" ("email");

COMMIT;

-- downgrade
-- strata revision 1111next (downgrade): case sqlmodel_users_v2
-- PostgreSQL runs DDL inside the transaction: the whole revision commits or none of it does.
-- ALTER TABLE takes an ACCESS EXCLUSIVE lock on its table; the lock timeout makes a migration
-- that waits behind a long query fail quickly instead of stalling every query queued behind it.
-- CHECK, generated column, view and index expressions are copied as SQLite has them; SQLite's loose
-- typing accepts some that PostgreSQL rejects (length() of a number, text compared with a number).
BEGIN;
SET LOCAL lock_timeout = '5s';

DROP INDEX "ix_usertable_email";

-- drop table userpreferences: every row of it is deleted
DROP TABLE "userpreferences";

-- alter table usertable in place (change type of column first_name; change nullability of column last_name; drop column phone); SQLite rebuilds it or alters it natively
-- data loss: the values of column usertable.phone are deleted
ALTER TABLE "usertable" DROP COLUMN "phone";
-- converts every value of usertable.first_name; a value that does not convert fails the migration
ALTER TABLE "usertable" ALTER COLUMN "first_name" TYPE VARCHAR(100) USING "first_name"::VARCHAR(100);
-- SET NOT NULL reads the whole table under its lock; on a big table add CHECK (col IS NOT NULL)
-- NOT VALID, VALIDATE it, and SET NOT NULL then skips the scan
ALTER TABLE "usertable" ALTER COLUMN "last_name" SET NOT NULL;

-- on a large table in use, run this as CREATE INDEX CONCURRENTLY, outside the transaction: it then
-- does not block writes while it builds
CREATE INDEX "ix_usertable_email" ON "usertable" ("email");

COMMIT;
