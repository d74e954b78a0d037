"""The console: Rounds in a terminal, no account needed; also runs transcripts (`--script`)."""
