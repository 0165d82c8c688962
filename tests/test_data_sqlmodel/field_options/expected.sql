CREATE TABLE account (
	id INTEGER NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	handle VARCHAR NOT NULL, 
	city VARCHAR(80), 
	forced_null VARCHAR, 
	forced_not_null VARCHAR NOT NULL, 
	balance NUMERIC(12, 2) NOT NULL, 
	digits_only NUMERIC(8) NOT NULL, 
	age INTEGER NOT NULL, 
	code VARCHAR(8) NOT NULL, 
	status VARCHAR DEFAULT 'new' NOT NULL, 
	quoted VARCHAR DEFAULT 'it''s' NOT NULL, 
	score INTEGER DEFAULT 0 NOT NULL, 
	below INTEGER DEFAULT (-1) NOT NULL, 
	weight FLOAT DEFAULT (1.5) NOT NULL, 
	created VARCHAR DEFAULT CURRENT_TIMESTAMP, 
	stamped VARCHAR DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (handle)
);
CREATE TABLE post (
	id INTEGER NOT NULL, 
	author_id INTEGER NOT NULL, 
	editor_id INTEGER, 
	owner_id INTEGER, 
	keeper_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(author_id) REFERENCES account (id), 
	FOREIGN KEY(editor_id) REFERENCES account (id) ON DELETE SET NULL, 
	FOREIGN KEY(owner_id) REFERENCES account (id) ON DELETE CASCADE, 
	FOREIGN KEY(keeper_id) REFERENCES account (id) ON DELETE RESTRICT
);
CREATE INDEX ix_account_city ON account (city);
CREATE UNIQUE INDEX ix_account_email ON account (email);
CREATE INDEX ix_post_author_id ON post (author_id);
