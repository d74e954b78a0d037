"""Adapters: translate platform payloads into core inputs and core outputs into platform calls."""
