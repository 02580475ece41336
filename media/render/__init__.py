"""Offline render of a simulated walk: what a visitor would hear, mixed to a sound file."""
