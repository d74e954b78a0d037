"""Rounds: the platform-neutral core of the community bot (domain, commands, features, delivery)."""
