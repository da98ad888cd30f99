"""Teams' business rules: pure, no I/O. Time comes in as `now`."""
