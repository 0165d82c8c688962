CREATE TABLE people (first TEXT, last TEXT, full TEXT GENERATED ALWAYS AS (last || ', ' || first) STORED, initials TEXT AS (substr(first, 1, 1)) VIRTUAL);
