"""Outgoing mail: the invitation link."""
