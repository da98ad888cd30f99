"""Ratings' adapters: the providers behind `CreditProvider`, the store."""
