"""Ratings' use cases, one module each, all one shape: take a command, load through a port, decide in
the domain, save with the events in one write. Entrypoints (routes, subscribers, the check runner and
the monitoring loop) only build commands and shape answers."""
