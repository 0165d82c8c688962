BEGIN;

-- create table posts
CREATE TABLE "posts" (
  "id" INTEGER PRIMARY KEY,
  "user_id" INTEGER NOT NULL,
  "title" TEXT NOT NULL DEFAULT '',
  FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);

-- create index posts_user on posts
CREATE INDEX "posts_user" ON "posts" ("user_id");
COMMIT;
