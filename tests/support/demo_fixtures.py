"""Fixtures for tests that need the demo data (filled in with the demo seed)."""
