SELECT u.display_name, i.provider, i.subject
FROM users u JOIN identities i ON i.user_id = u.id;