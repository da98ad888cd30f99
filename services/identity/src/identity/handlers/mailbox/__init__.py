"""The in-app mailbox's use cases, one module each; they work on the ports
(`identity.ports`), so the unit tests run them on in-memory fakes."""
