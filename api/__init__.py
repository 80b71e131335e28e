"""The v1 HTTP API (FastAPI): validates, then calls a workflow or reads the read model."""
