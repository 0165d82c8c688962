PRAGMA foreign_keys = OFF;
BEGIN;

-- drop table logs
-- data loss: every row of table logs is deleted
DROP TABLE "logs";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
