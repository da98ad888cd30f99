"""Ratings' MongoDB adapters: each returns domain objects and writes a change with its events
(the chassis outbox) in one single-document write."""
