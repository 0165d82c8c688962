CREATE TABLE identities (
	id INTEGER, 
	user_id INTEGER NOT NULL, 
	provider VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (provider, subject)
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
CREATE INDEX identities_user_id ON identities (user_id);
CREATE UNIQUE INDEX ix_membership_role_since ON membership (role, since);
