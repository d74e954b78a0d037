"""What the privacy feature says: `/rounds privacy`, the erasure's confirmation and its result,
and how the export file is introduced. Short, plain, one next step."""

from __future__ import annotations

from bot.messages import Button, ButtonStyle, Message

FORGET_ACTION = "privacy.forget"
KEEP_ACTION = "privacy.keep"
EXPORT_NAME = "rounds-my-data.json"


def render_privacy(whats: list[str]) -> Message:
    kept = ", ".join(["your profile", *whats, "and messages still waiting to reach you"])
    lines = [
        "**Your data in Rounds**",
        f"- **What:** {kept}.",
        "- **Why:** only to run this community's programmes for you (matching peers, reminders, "
        "answers); nothing leaves this community, and nothing is sold or shared.",
        "- **Who sees it:** members see what you post and your profile; managers also see "
        "counts and a log of their own changes. Anonymous questions stay anonymous, and any "
        "look-up of an asker is recorded and told to every manager.",
        "- **Export:** `/rounds my-data` sends you a file with everything stored about you.",
        "- **Erase:** `/rounds forget-me` erases it all, after you confirm; you choose whether "
        "your questions and answers stay, without your name.",
    ]
    return Message("\n".join(lines))


def render_export_note(sections: list[str]) -> str:
    return (
        "Here is everything Rounds stores about you in this community, as a JSON file with a "
        f"part for each programme ({', '.join(f'`{s}`' for s in sections)}). "
        "To erase it all, type `/rounds forget-me`."
    )


def confirm_value(member_id: int, keep: bool, until: int) -> str:
    return f"{member_id}:{'keep' if keep else 'remove'}:{until}"


def render_confirm(
    member_id: int, posts: list[str], until: int, *, last_manager: bool = False
) -> Message:
    text = (
        "**Erase everything Rounds knows about you?**\n"
        "Your profile, introduction card, programme history, follows, votes and messages still "
        "waiting for you are deleted, and any pairing you are in ends (your partner gets a "
        "short, neutral note). This can't be undone. Want a copy first? `/rounds my-data`."
    )
    if last_manager:
        text += (
            "\n\nYou are the only manager added in Rounds here; afterwards only the workspace "
            "or server admins manage it. To hand over first: "
            "`/rounds config manager add @member`."
        )
    buttons: tuple[Button, ...]
    if posts:
        wrote = " and ".join(posts) if len(posts) < 3 else ", ".join(posts)
        text += (
            f"\n\nYou posted {wrote}. Peers may still learn from what you wrote: keep it "
            "without your name, or remove it."
        )
        buttons = (
            Button(
                "Erase me, keep my posts anonymised",
                FORGET_ACTION,
                confirm_value(member_id, True, until),
                ButtonStyle.DANGER,
            ),
            Button(
                "Erase me and my posts",
                FORGET_ACTION,
                confirm_value(member_id, False, until),
                ButtonStyle.DANGER,
            ),
            Button("Cancel", KEEP_ACTION),
        )
    else:
        buttons = (
            Button(
                "Erase everything",
                FORGET_ACTION,
                confirm_value(member_id, False, until),
                ButtonStyle.DANGER,
            ),
            Button("Cancel", KEEP_ACTION),
        )
    return Message(text + "\n\nThis question is open for 15 minutes.", buttons=buttons)


ERASED = (
    "✓ Done. Rounds has erased your profile and everything it kept about you here{posts}. "
    "Only a one-way code of your account id is kept, so Rounds doesn't add you back by "
    "accident. If you use Rounds again, you'll start afresh as a new member."
)
ERASED_UPDATE = "Erased. Thank you for having been part of this community."
CANCELLED = "Cancelled. Nothing was erased."
STALE = (
    "That confirmation has expired or isn't yours, so nothing was erased. "
    "Type `/rounds forget-me` to start again."
)
