PRAGMA foreign_keys = OFF;
BEGIN;

-- rebuild table posts (add foreign key (user_id) to users)
CREATE TABLE "_strata_new_posts" (
  "id" INTEGER PRIMARY KEY,
  "user_id" INTEGER,
  FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO "_strata_new_posts" ("id", "user_id") SELECT "id", "user_id" FROM "posts";
DROP TABLE "posts";
ALTER TABLE "_strata_new_posts" RENAME TO "posts";

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
