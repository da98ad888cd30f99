"""Fault tests: kill -9 of a component under load, then reconcile by counting."""
