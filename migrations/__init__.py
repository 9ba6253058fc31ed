"""Alembic migrations for the Hotline schema; shipped in the wheel so an installed copy can upgrade."""
