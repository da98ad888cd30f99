"""Teams' reactions to other services' events."""
