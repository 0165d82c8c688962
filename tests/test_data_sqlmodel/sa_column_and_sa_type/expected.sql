CREATE TABLE event (
	id INTEGER NOT NULL, 
	created DATETIME DEFAULT CURRENT_TIMESTAMP, 
	data JSON, 
	big BIGINT NOT NULL, 
	"when" DATETIME NOT NULL, 
	maybe_big BIGINT, 
	title VARCHAR(30) NOT NULL, 
	parent_id INTEGER, 
	body TEXT, 
	ratio DOUBLE, 
	short VARCHAR(5), 
	long TEXT, 
	flag BOOLEAN DEFAULT 1 NOT NULL, 
	small SMALLINT, 
	blob BLOB, 
	amount NUMERIC(10, 3), 
	uid CHAR(32), 
	approx FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE
);
CREATE TABLE parent (
	id INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_event_parent_id ON event (parent_id);
CREATE UNIQUE INDEX ix_event_title ON event (title);
