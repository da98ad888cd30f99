"""Ratings' routes (reached through the gateway under `/api/ratings`): parse, call a handler, shape."""
