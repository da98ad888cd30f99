"""Ratings' pure rules: companies, credit files, history, portfolios, monitoring. No I/O."""
