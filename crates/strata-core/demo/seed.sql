-- The demo project's rows. The schema comes from the two revisions beside this file, which the
-- playground applies through strata's runner (so `schema_version` holds real rows with
-- checksums); this script only adds a few rows to look at once they are applied.

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
