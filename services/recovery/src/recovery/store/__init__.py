"""Recovery's MongoDB adapters: the cases (with outbox, courier and deadline leases) and GridFS documents."""
