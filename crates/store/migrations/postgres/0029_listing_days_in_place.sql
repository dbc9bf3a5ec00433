-- syndic schema, version 29: on SQLite, one row per listing and day, updated in place by
-- its triggers, and a tag's days found through each post's own links. PostgreSQL keeps
-- version 28's rows of change, so that concurrent writers never wait on one counter row,
-- and its triggers already look a post's links up by its primary key (the planner has
-- statistics). Nothing changes here: the version is kept in step.
SELECT 1;
