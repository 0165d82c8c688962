BEGIN;

-- drop trigger tr (recreated later)
DROP TRIGGER "tr";

-- drop view v while its tables change
DROP VIEW "v";

-- create view v
CREATE VIEW "v" AS SELECT x FROM t;

-- create trigger tr on t
CREATE TRIGGER "tr" AFTER UPDATE ON t BEGIN SELECT 1; END;
COMMIT;
