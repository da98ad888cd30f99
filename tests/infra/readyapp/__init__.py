"""A minimal real ASGI app, started by uvicorn like a platform service, to test
devstack's service life cycle before the real services exist."""
