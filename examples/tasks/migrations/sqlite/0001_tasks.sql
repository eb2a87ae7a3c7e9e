-- The tasks of every user. `completed` is 0 or 1 and the timestamps are RFC 3339 UTC text,
-- written by the service, so that SQLite and PostgreSQL answer the same queries alike.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX tasks_by_user ON tasks (user_id, id);
