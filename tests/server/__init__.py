"""Tests of the central server (``kiosk.server``) and the wire schema (``kiosk.wire``)."""
