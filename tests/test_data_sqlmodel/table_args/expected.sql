CREATE TABLE logins (
	id INTEGER, 
	account_id INTEGER NOT NULL, 
	issuer VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (issuer, subject)
);
CREATE TABLE membership (
	team VARCHAR NOT NULL, 
	person VARCHAR NOT NULL, 
	id INTEGER NOT NULL, 
	role VARCHAR NOT NULL, 
	since INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_membership_team_person UNIQUE (team, person)
);
CREATE UNIQUE INDEX ix_membership_role_since ON membership (role, since);
CREATE INDEX logins_by_account ON logins (account_id);
