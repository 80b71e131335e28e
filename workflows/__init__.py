"""Deterministic orchestration of a case and its legal procedures."""
