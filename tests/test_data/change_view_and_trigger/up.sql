BEGIN;

-- drop trigger tr (recreated later)
DROP TRIGGER "tr";

-- drop view v while its tables change
DROP VIEW "v";

-- create view v
CREATE VIEW "v" AS SELECT id, x * 2 AS x2 FROM t;

-- create trigger tr on t
CREATE TRIGGER "tr" AFTER UPDATE OF x ON t BEGIN SELECT 2; END;
COMMIT;
