"""Tests of the PDF signature packets (kiosk.pdf)."""
