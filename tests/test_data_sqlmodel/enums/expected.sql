CREATE TABLE account (
	id INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	previous VARCHAR(20), 
	priority VARCHAR(4), 
	tier VARCHAR(8) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_account_priority ON account (priority);
