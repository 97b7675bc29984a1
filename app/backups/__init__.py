"""Backups: sealed archives of the database and the state files, verified by a real restore."""
