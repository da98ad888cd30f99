"""Real implementations of `recovery.ports` (so far: the sample directory file)."""
