PRAGMA foreign_keys = OFF;
BEGIN;

-- drop trigger audit_guard (recreated later)
DROP TRIGGER "audit_guard";

-- rebuild table users (change nullability, default of column name)
CREATE TABLE "_strata_new_users" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT
);
INSERT INTO "_strata_new_users" ("id", "name") SELECT "id", "name" FROM "users";
DROP TABLE "users";
ALTER TABLE "_strata_new_users" RENAME TO "users";

-- create trigger audit_guard on audit
CREATE TRIGGER "audit_guard" BEFORE DELETE ON audit BEGIN SELECT CASE WHEN (SELECT count(*) FROM users) > 1000 THEN RAISE(ABORT, 'busy') END; END;

-- create trigger users_ins on users
CREATE TRIGGER "users_ins" AFTER INSERT ON users BEGIN INSERT INTO audit (what) VALUES ('insert ' || NEW.name); END;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
