"""Blueprints of the console, one module per area."""
