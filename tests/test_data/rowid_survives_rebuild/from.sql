CREATE TABLE notes (body TEXT, n INT);
