"""`examples/mentorship.txt` runs through `rounds console --script` as a real process: a mentee
from her request to her third check-in, and a silent pair escalated to a manager."""

from __future__ import annotations

from tests.test_cli import rounds


def test_the_mentorship_example_goes_from_request_to_the_third_check_in() -> None:
    result = rounds("console", "--script", "examples/mentorship.txt")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert (
        "  1. **Dr Okafor** (@okafor) · score 79\n"
        "  specialty match: emergency medicine; 3 career stages ahead; shares 'operations'; "
        "1 h time difference\n"
    ) in out
    assert "Dr Lee" not in out.split("[private @carol]\n  **Mentors for you**")[1].split("[")[0]
    assert "[dm @okafor] (updated)\n  🌱 Mentorship request from @carol: ✓ Accepted" in out
    # the silent pair: two nudges, then the managers' card and a manager reaching out
    assert "[dm @lee]\n  ⏰ A gentle second reminder: time to check in with @dami." in out
    assert (
        "[#organisers]\n  🤫 **Quiet pair:** **Dr Lee** (@lee) and **Dami Ade** (@dami) "
        "haven't checked in since Mon 02 Mar 2026; two nudges went unanswered.\n"
        "  [button] Reach out\n  [button] Re-match\n  [button] Pause pair\n"
    ) in out
    assert (
        "[#organisers] (updated)\n  🤝 **Dr Lee** (@lee) and **Dami Ade** (@dami)\n  ✓ @amara is reaching out"
        in out
    )
    # Carol's three check-ins, in her log and its file
    assert (
        "[private @carol]\n  **Your check-ins** (newest first)\n"
        "  - Tue 14 Apr 2026 · with @okafor (your mentor) · logged by @okafor\n"
        "  - Mon 30 Mar 2026 · with @okafor (your mentor) · “talked through the new triage rota”\n"
        "  - Mon 16 Mar 2026 · with @okafor (your mentor) · logged by @okafor\n"
    ) in out
    assert "  [file] mentorship-log.csv\n" in out
    assert "  - Active pairs: 2 (on track 1, overdue 1, silent 0); paused 0; ended 0\n" in out
