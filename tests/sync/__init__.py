"""Tests of the kiosk side of sync: engine, client, command line, Qt controller, faults."""
