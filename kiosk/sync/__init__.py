"""Offline-first sync: the kiosk's outbox engine and its client for ``kiosk-server``."""
