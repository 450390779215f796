"""Shared pytest fixtures; app-specific fixtures live in each app's tests/ folder."""

pytest_plugins = ["machiwb.core.tests.fixtures"]
