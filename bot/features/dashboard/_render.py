"""What the dashboard says in chat."""

from __future__ import annotations

LINK_SENT = (
    "I've sent you a sign-in link for the managers' dashboard by DM. It works once, "
    "within 10 minutes."
)


def link(url: str, public: bool) -> str:
    lines = [
        "📈 **Your link to the managers' dashboard**",
        url,
        "It works once, within 10 minutes, and keeps this browser signed in for 12 hours. "
        "Don't forward it: it opens the dashboard for whoever uses it first.",
        "Sign out everywhere with `/rounds dashboard signout`.",
    ]
    if not public:
        lines.append(
            "_This link points at the machine Rounds runs on; set PUBLIC_URL to reach it "
            "from elsewhere._"
        )
    return "\n".join(lines)


def signed_out(ended: int) -> str:
    if not ended:
        return "You had no dashboard sessions open. `/rounds dashboard` sends a sign-in link."
    plural = "s" if ended != 1 else ""
    return f"Signed out of the dashboard: {ended} session{plural} ended."
