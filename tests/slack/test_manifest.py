"""The app manifest asks for what the adapter uses, and no more."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack.app import COMMAND, SlackBridge

MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "slack.yaml"


def items_under(key: str) -> list[str]:
    """The `- item` lines of one YAML list (the manifest is plain enough for this)."""
    text = MANIFEST.read_text(encoding="utf-8")
    block = re.search(rf"^(\s*){key}:\n((?:\1\s+(?:- .*|#.*)\n)+)", text, re.MULTILINE)
    assert block is not None, key
    return re.findall(r"^\s+- (\S+)", block.group(2), re.MULTILINE)


def test_the_least_scopes_that_work() -> None:
    assert items_under("bot") == [
        "commands",
        "chat:write",
        "users:read",
        "mpim:write",
        "files:write",
    ]


def test_subscribes_to_exactly_the_events_the_app_listens_to() -> None:
    assert set(items_under("bot_events")) == set(SlackBridge.EVENTS)


def test_declares_the_command_interactivity_and_app_home() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert f"- command: {COMMAND}\n" in text
    assert "should_escape: true" in text  # mentions arrive as <@U…|name>, channels as <#C…|name>
    assert "interactivity:\n    is_enabled: true" in text
    assert "home_tab_enabled: true" in text
