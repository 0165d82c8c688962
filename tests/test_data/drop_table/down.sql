BEGIN;

-- create table logs
CREATE TABLE "logs" (
  "id" INTEGER PRIMARY KEY,
  "msg" TEXT
);

-- create index logs_msg on logs
CREATE INDEX "logs_msg" ON "logs" ("msg");
COMMIT;
