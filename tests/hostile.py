"""Member-written strings that try to format, link, mention, ping or rename: each renderer's
tests prove every one of them is shown exactly as typed."""

from __future__ import annotations

LINKS = (
    "[NHS](https://evil.example)",
    "[NHS]( https://evil.example )",
    "<https://evil.example|NHS>",
    "**[NHS](https://evil.example)**",
)
PINGS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|@nurses>",
    "@everyone",
    "@here",
    "@channel",
    "<@U0BOSS>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#C0GENERAL>",
    "<#123456789012345678>",
    "<t:1772470800:F>",
    "<!date^1772470800^{date}|today>",
    "</rounds help:123>",
    "<:nhs:123456789012345678>",
    "&lt;!channel&gt;",
)
FORMATTING = (
    "Ada **Obi",
    "**bold**",
    "*bold*",
    "_italic_",
    "__underline__",
    "~strike~",
    "~~strike~~",
    "`code`",
    "```block```",
    "> quote",
    ">>> quote",
    "- bullet",
    "* bullet",
    "+ bullet",
    "1. listed",
    "# Heading",
    "-# subtext",
    "||spoiler||",
    "a\\*b",
    "ends with \\",
    "/rounds config",
    "`/rounds config set key=value`",
)
COMBINED = (
    "Ada **Obi [NHS](https://evil.example) @everyone <!channel>",
    "line one\n> quote\n- item\n# heading\n1. first",
    "**[x](https://a.example)** <@U0BOSS> `<!here>` _y_ ||z||",
    "*_~`|<>[]#-+/\\",
    "see https://example.org/a_b~c-d#top",
)
HOSTILE = LINKS + PINGS + FORMATTING + COMBINED
"""Every hostile string, for tables that check each platform."""
