CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER);
CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;
CREATE VIEW adult_names AS SELECT name FROM adults;
