"""Helpers that start real servers for the tests."""
