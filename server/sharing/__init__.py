"""Sharing a trail: QR codes for its link and a printable festival poster."""
