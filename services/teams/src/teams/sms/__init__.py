"""Sending SMS: a protocol and its local adapter."""
