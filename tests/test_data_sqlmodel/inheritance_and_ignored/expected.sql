CREATE TABLE heroes (
	name VARCHAR NOT NULL, 
	age INTEGER, 
	id INTEGER NOT NULL, 
	secret_name VARCHAR, 
	team_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(team_id) REFERENCES team (id)
);
CREATE TABLE team (
	name VARCHAR NOT NULL, 
	headquarters VARCHAR NOT NULL, 
	id INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_heroes_age ON heroes (age);
CREATE INDEX ix_heroes_name ON heroes (name);
CREATE INDEX ix_team_name ON team (name);
