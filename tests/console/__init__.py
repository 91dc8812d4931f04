"""Tests of the staff console (bot/console)."""
