CREATE TABLE lower_old /* @renamed from=lower */ (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE lower (id INTEGER PRIMARY KEY, w TEXT);
