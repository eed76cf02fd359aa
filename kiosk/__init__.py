"""Petition Kiosk: an offline-first touchscreen kiosk for collecting petition signatures."""

__version__ = "0.1.0"
