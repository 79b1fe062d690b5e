"""One module per feature with its tables (imported by `storage.schema.load_all`)."""
