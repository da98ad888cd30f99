"""Identity's adapters that are not stores (file formats)."""
