"""Ratings' reactions to other services' events."""
