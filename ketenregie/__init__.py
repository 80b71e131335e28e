"""The `ketenregie` command line and the local stack it starts (Postgres, Temporal, sink)."""
