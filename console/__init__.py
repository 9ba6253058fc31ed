"""The Hotline console: CLI, settings, app factory, services and widgets."""
