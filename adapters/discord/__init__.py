"""The Discord adapter: the core on Discord through discord.py, as a thin translator."""
