"""Postgres: the case file (system of record for personal data) and the read model."""
