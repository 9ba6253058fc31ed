"""Kept for the one import the seed still makes (`fee_for`); the services live in fees, statement,
withdrawals and wallet. Remove once console/seed imports `console.services.fees`."""

from __future__ import annotations

from console.services.fees import fee_for

__all__ = ["fee_for"]
