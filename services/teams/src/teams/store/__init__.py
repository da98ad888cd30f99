"""Teams' MongoDB collections."""
