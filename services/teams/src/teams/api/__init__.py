"""Teams' HTTP routes and their bodies."""
