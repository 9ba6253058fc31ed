"""Dated revision files, one per schema change."""
