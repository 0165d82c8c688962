PRAGMA foreign_keys = OFF;
BEGIN;

-- drop table posts
-- data loss: every row of table posts is deleted
DROP TABLE "posts";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
