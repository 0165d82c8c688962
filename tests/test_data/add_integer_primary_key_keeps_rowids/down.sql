PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table tags (drop column id; change primary key)
CREATE TABLE "_strata_new_tags" (
  "name" TEXT
);
INSERT INTO "_strata_new_tags" (rowid, "name") SELECT rowid, "name" FROM "tags";
-- data loss: the values of column(s) id of table tags are deleted
DROP TABLE "tags";
ALTER TABLE "_strata_new_tags" RENAME TO "tags";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
