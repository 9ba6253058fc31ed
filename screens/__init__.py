"""Textual screens and modals; they talk to console.services only."""
