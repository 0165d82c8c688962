PRAGMA foreign_keys = OFF;
BEGIN;

-- drop table lower
-- data loss: every row of table lower is deleted
DROP TABLE "lower";

-- rename table lower_old to lower
ALTER TABLE "lower_old" RENAME TO "lower";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
