BEGIN;

-- drop view v while its tables change
DROP VIEW "v";

-- drop column users.legacy
-- data loss: the values of column users.legacy are deleted
ALTER TABLE "users" DROP COLUMN "legacy";

-- create view v
CREATE VIEW "v" AS SELECT id FROM users;
COMMIT;
