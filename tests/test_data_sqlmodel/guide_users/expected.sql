CREATE TABLE useridentitytable (
	id CHAR(32) NOT NULL, 
	user_id CHAR(32) NOT NULL, 
	provider VARCHAR(50) NOT NULL, 
	provider_user_id VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES usertable (id) ON DELETE CASCADE
);
CREATE TABLE usertable (
	id CHAR(32) NOT NULL, 
	first_name VARCHAR(100) NOT NULL, 
	last_name VARCHAR(100) NOT NULL, 
	email VARCHAR(255), 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_useridentitytable_user_id ON useridentitytable (user_id);
CREATE INDEX ix_usertable_email ON usertable (email);
