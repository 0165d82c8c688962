CREATE TABLE "order items" ("c 2" INTEGER, "we""ird" TEXT, "g3" INTEGER GENERATED ALWAYS AS (length("c 2")) VIRTUAL);
CREATE INDEX "i 4" ON "order items" ("c 2", "we""ird" DESC);
