"""The managers' web dashboard as HTML: an adapter onto the core's neutral dashboard pages
(`bot/dashboard.py`, `bot/features/dashboard`), served by the one aiohttp server of every
`rounds` process. The core never imports this package."""
