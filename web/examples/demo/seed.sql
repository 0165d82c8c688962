-- The demo project's database as a first-time visitor finds it: both demo revisions applied
-- (their up SQL beside this file) and a few rows to look at.
--
-- This script stands in for the runner until strata-core's runner can apply the two revisions
-- itself; the checksums below are the SHA-256 of each revision's up SQL file.

CREATE TABLE schema_version (
    version TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    checksum TEXT NOT NULL,
    execution_ms INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO schema_version VALUES
    ('0001', 'create users', '2026-11-02 09:14:05', '358883b10436a5e6e27bfad17237750caad3083fb3821f5b7ed0ae0ce7d5b8e9', 3);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX identities_user_id ON identities (user_id);
INSERT INTO schema_version VALUES
    ('0002', 'add identities', '2026-11-09 16:40:51', 'e65f7e3ada62c6abea7a189e8be0e387fcdcbd2726f0c61da6d5fc7181b1e054', 5);

INSERT INTO users (id, email, display_name, created_at) VALUES
    (1, 'ada@example.com', 'Ada Lovelace', '2026-11-02 10:00:00'),
    (2, 'grace@example.com', 'Grace Hopper', '2026-11-03 11:30:00'),
    (3, 'edsger@example.com', 'Edsger Dijkstra', '2026-11-05 08:45:00'),
    (4, 'barbara@example.com', 'Barbara Liskov', '2026-11-10 14:20:00');

INSERT INTO identities (id, user_id, provider, subject) VALUES
    (1, 1, 'github', 'ada'),
    (2, 1, 'google', '104839201'),
    (3, 2, 'github', 'ghopper'),
    (4, 3, 'gitlab', 'ewd'),
    (5, 4, 'google', '559102334');
