"""Peer Q&A in the console: asking (similar questions first), answering in the thread,
accepting, upvotes, following, anonymous questions, search, and bad input that saves nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.domain import SpaceKey
from bot.features.qa._render import render_card
from bot.features.qa.model import QA, Answer, Question, QuestionStatus
from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import CONSOLE

SETUP = """
clock 2026-03-02 09:00 UTC
join amara
join ben
join cara
amara: /rounds config channel qa #questions
"""
ASK = (
    'cara: /rounds ask title="How do I negotiate protected time for a QI project?" '
    'body="My clinical director keeps saying next quarter." tags=qi,leadership'
)
ANSWER = 'ben: /rounds answer 1 "Bring a one-page plan and ask for a three-month trial."'


async def questions(store: SqlStore, space: SpaceKey = CONSOLE) -> list[Question]:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        qa = tx.repo(QA)
        result = []
        number = 1
        while (question := await qa.question_by_number(found.id, number)) is not None:
            result.append(question)
            number += 1
        return result


async def answers(store: SqlStore, number: int = 1) -> list[Answer]:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(CONSOLE)
        question = await tx.repo(QA).question_by_number(found.id, number)
        assert question is not None
        return await tx.repo(QA).answers(found.id, question.id)


def block(out: str, header: str, nth: int = 1) -> str:
    """The body of the nth output with this header."""
    return out.split(header + "\n")[nth].split("\n[")[0].rstrip("\n")


async def test_ask_posts_a_card_with_answer_and_follow_buttons(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(SETUP + ASK)
    assert "[private @cara]\n  ✓ Your question Q1 is up in #questions." in out
    card = block(out, "[#questions]")
    assert card.startswith(
        "  ❓ **Q1: How do I negotiate protected time for a QI project?**\n"
        "  Asked by @cara · qi, leadership\n\n"
        "  My clinical director keeps saying next quarter.\n\n  No answers yet."
    )
    assert card.endswith("  [button] Answer\n  [button] Follow")
    [question] = await questions(store)
    assert (question.number, question.tags, question.anonymous) == (1, ("qi", "leadership"), False)


async def test_ask_without_options_opens_the_form_and_the_form_posts(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + "cara: /rounds ask\n"
        + 'cara: submit title="Tips for a first M&M presentation?" tags="m&m, teaching" '
        + "anonymous=no"
    )
    assert "[form] Ask the community\n  fields: title*, body, tags, anonymous (no|yes)" in out
    assert "Tags are short words" in out  # `m&m` is refused, nothing is posted
    out = await transcript(
        'cara: /rounds ask\ncara: submit title="Tips for a first M&M presentation?" '
        'tags="teaching, presenting"'
    )
    assert "✓ Your question Q1 is up in #questions." in out
    assert [q.tags for q in await questions(store)] == [("teaching", "presenting")]


async def test_an_answer_goes_in_the_thread_updates_the_card_and_tells_the_asker(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(SETUP + ASK + "\n" + ANSWER)
    assert (
        "[private @ben]\n  ✓ Your answer A1 is in the thread of Q1. The asker has been told." in out
    )
    thread = out.split("[#questions thread ")[1]
    assert thread.split("]")[0].isdigit()  # under the card's own post
    assert "💡 **A1** by @ben · ▲ 0\n  Bring a one-page plan" in thread
    assert "[#questions] (updated)\n  ❓ **Q1: How do I negotiate" in out
    assert "  💬 1 answer in the thread." in out
    assert "[dm @cara]\n  💬 @ben answered your question **Q1: How do I negotiate" in out
    assert "[button] Accept this answer" in out
    [answer] = await answers(store)
    assert (answer.number, answer.votes) == (1, 0)


async def test_the_answer_button_opens_a_form_whose_answer_is_posted(
    transcript: Transcript,
) -> None:
    out = await transcript(
        SETUP + ASK + '\nben: click "Answer"\nben: submit text="Start with your rota coordinator."'
    )
    assert "[form] Answer Q1\n  fields: text*" in out
    assert "💡 **A1** by @ben · ▲ 0\n  Start with your rota coordinator." in out


async def test_the_asker_accepts_an_answer_the_card_shows_it_and_the_answerer_is_thanked(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(SETUP + ASK + "\n" + ANSWER + "\ncara: /rounds accept 1")
    assert "[private @cara]\n  ✓ Accepted A1 by @ben for Q1." in out
    assert "  ✓ Answered: A1 by @ben was accepted (in the thread)." in out
    assert "💡 **A1** by @ben · ▲ 0 · ✓ accepted" in out
    assert "[dm @ben]\n  🎉 Your answer A1 to **Q1: How do I negotiate" in out
    [question] = await questions(store)
    [answer] = await answers(store)
    assert question.accepted_answer_id == answer.id


async def test_only_the_asker_or_a_manager_may_accept(transcript: Transcript) -> None:
    out = await transcript(SETUP + ASK + "\n" + ANSWER + "\nben: /rounds accept A1")
    assert "Only the person who asked Q1 (or a manager) can accept an answer." in out
    out = await transcript("amara: /rounds accept 1")
    assert "✓ Accepted A1 by @ben for Q1." in out


async def test_accepting_another_answer_moves_the_mark(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + ASK
        + "\n"
        + ANSWER
        + '\namara: /rounds answer 1 "Tie it to a departmental priority."'
        + "\ncara: /rounds accept 1\ncara: /rounds accept 2\ncara: /rounds accept 2"
    )
    assert "A2 is already the accepted answer to Q1." in out
    last_a1 = out.rsplit("💡 **A1** by @ben", 1)[1].split("\n")[0]
    assert last_a1 == " · ▲ 0"  # the A1 post was edited back, without the mark
    [question] = await questions(store)
    accepted = [a for a in await answers(store) if a.id == question.accepted_answer_id]
    assert [a.number for a in accepted] == [2]


async def test_an_upvote_counts_once_per_member(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript(
        SETUP
        + ASK
        + "\n"
        + ANSWER
        + '\namara: click "▲ Upvote"\namara: click "▲ Upvote"\ncara: click "▲ Upvote"'
        + '\nben: click "▲ Upvote"'
    )
    assert "▲ Thanks! A1 now has 1 upvote." in out
    assert "You've already upvoted A1; each member's vote counts once." in out
    assert "▲ Thanks! A1 now has 2 upvotes." in out
    assert "That's your own answer 🙂" in out
    assert [a.votes for a in await answers(store)] == [2]
    assert "💡 **A1** by @ben · ▲ 2" in out


async def test_followers_hear_of_answers_and_acceptance(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + ASK
        + '\namara: click "Follow"\namara: click "Follow"\n'
        + ANSWER
        + "\ncara: /rounds accept 1"
    )
    assert "✓ You're following Q1: I'll DM you when it gets an answer or one is accepted." in out
    assert "You already follow Q1." in out
    assert "[dm @amara]\n  💬 New answer to **Q1: How do I negotiate" in out
    assert (
        "[dm @amara]\n  ✓ **Q1: How do I negotiate protected time for a QI project?**, which you follow, has an accepted answer: A1 by @ben."
        in out
    )
    out = await transcript('amara: click "Stop following"\namara: click "Stop following"')
    assert "✓ You've stopped following Q1." in out
    assert "You weren't following Q1. Nothing changed." in out


async def test_a_similar_question_still_unanswered_is_offered_to_follow(
    transcript: Transcript,
) -> None:
    out = await transcript(
        SETUP + ASK + '\nben: /rounds ask title="Negotiating protected time with my director?"'
    )
    similar = block(out, "[private @ben]", 1)
    assert similar.startswith("  Someone asked something like this already; no answers yet:\n")
    assert "for a QI project?** (no answers yet)" in similar
    assert "Follow it to hear when it's answered (`/rounds qa show 1`)" in similar
    out = await transcript(ANSWER + '\nben: /rounds ask title="Protected time with my director?"')
    assert "for a QI project?** (1 answer)" in out


async def test_similar_questions_are_shown_first_and_posting_is_the_members_choice(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + ASK
        + "\n"
        + ANSWER
        + "\ncara: /rounds accept 1\n"
        + 'ben: /rounds ask title="Negotiating protected time with my director?" tags=qi'
    )
    similar = block(out, "[private @ben]", 2)
    assert similar.startswith("  Was it answered here? This earlier question looks similar:\n")
    assert "- **Q1: How do I negotiate protected time for a QI project?** (✓ answered)" in similar
    assert "Read it with `/rounds qa show 1`. If it doesn't help, post yours." in similar
    assert len(await questions(store)) == 1  # not posted yet
    out = await transcript('ben: click "Cancel"')
    assert "Cancelled. Your question was not posted." in out
    out = await transcript(
        'ben: /rounds ask title="Negotiating protected time with my director?"\n'
        'ben: click "Post my question"\nben: click "Post my question"'
    )
    assert "✓ Your question Q2 is up in #questions." in out
    assert "That question was already posted or cancelled." in out
    assert len(await questions(store)) == 2


async def test_open_lists_unanswered_questions_oldest_first(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + ASK
        + '\nadvance 1h\nben: /rounds ask title="Handing over a failing project"'
        + "\nadvance 1h\n"
        + ANSWER
        + "\namara: /rounds qa open"
    )
    listed = block(out, "[private @amara]", 2)
    assert listed.startswith("  **Waiting for an answer** (oldest first)\n")
    assert "**Q2: Handing over a failing project** · asked 1 hour ago" in listed
    assert "Q1" not in listed


async def test_search_finds_accepted_answers_first(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + ASK
        + '\nben: /rounds ask title="Protected time for research as a resident" tags=research'
        + '\nben: click "Post my question"\n'
        + ANSWER
        + "\ncara: /rounds accept 1\namara: /rounds qa search protected time\n"
        + "amara: /rounds qa search tag=research\namara: /rounds qa search quantum"
    )
    results = block(out, "[private @amara]", 2)
    assert results.startswith("  **2 questions matching “protected time”**\n")
    first, second = results.split("\n  - ")[1:3]
    assert first.startswith("**Q1: How do I negotiate protected time")
    assert "✓ A1 by @ben: Bring a one-page plan" in first
    assert second.startswith("**Q2: Protected time for research as a resident** (research)")
    assert "**1 question matching tagged research**" in out
    assert "No questions match “quantum” yet." in out


async def test_show_lists_a_question_with_its_answers(transcript: Transcript) -> None:
    out = await transcript(
        SETUP + ASK + "\n" + ANSWER + "\ncara: /rounds accept 1\nben: /rounds qa show Q1"
    )
    shown = block(out, "[private @ben]", 2)
    assert "💡 **A1** by @ben · ▲ 0 · ✓ accepted\n  Bring a one-page plan" in shown


async def test_ids_are_short_numbers_per_community(transcript: Transcript) -> None:
    out = await transcript(SETUP + ASK + '\nben: /rounds ask title="Second question about rotas"')
    assert "Q2 is up" in out
    out = await transcript(
        "ben: /rounds answer 9 hello\nben: /rounds answer A1 hello\nben: /rounds accept Q1\n"
        "ben: /rounds answer x1 hello\nben: /rounds qa show 1234567890123"
    )
    assert "There's no question Q9 here." in out
    assert "A1 is an answer's id; this takes a question's, like Q12." in out
    assert "Q1 is a question's id; this takes an answer's, like A12." in out
    assert "`x1` isn't a question id. Use its number, like Q12 or 12." in out
    assert "`question` is too long (13 characters)" in out


async def test_bad_input_is_explained_and_saves_nothing(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + 'cara: /rounds ask body="no title"\n'
        + "cara: /rounds ask title="
        + "x" * 151
        + "\n"
        + 'cara: /rounds ask title="Fine" tags=a,b,c,d,e,f\n'
        + 'cara: /rounds ask title="Fine" tags="<@amara>"\n'
        + 'cara: /rounds ask title="Fine" anonymous=perhaps\n'
        + 'cara: /rounds ask title="Fine" colour=blue\n'
        + "cara: /rounds answer\n"
        + "cara: /rounds qa search\n"
        + "cara: /rounds qa search the and of\n"
    )
    assert "Give your question a title" in out
    assert "`title` is too long (151 characters); the most it takes is 150." in out
    assert "Give at most 5 tags, separated by commas." in out
    assert "Tags are short words or phrases" in out
    assert "`anonymous` takes yes or no, not `perhaps`." in out
    assert "`colour` isn't something `/rounds ask` takes." in out
    assert "`/rounds answer` needs `question`" in out
    assert "Tell me what to look for" in out
    assert "Those words are too common to search for." in out
    assert await questions(store) == []


async def test_hostile_text_is_shown_literally_on_the_card(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + 'cara: /rounds ask title="**Help** <@amara> @everyone" body="[NHS](https://evil.example)"'
    )
    assert "❓ **Q1: **Help** <@amara> @everyone**" in out  # the console prints it as typed
    question = Question(
        1,
        1,
        1,
        1,
        False,
        "**Help** <@amara>",
        "[NHS](https://evil.example)",
        (),
        QuestionStatus.POSTED,
        "qa",
        datetime.now(UTC),
        None,
        0,
        None,
        None,
        1,
    )
    card = render_card(question, None, None).text
    assert "\\*\\*Help\\*\\* \\<@amara\\>" in card and "\\[NHS\\](https:" in card


async def test_without_a_channel_the_asker_and_managers_are_told(transcript: Transcript) -> None:
    out = await transcript(
        "join amara\njoin ben\n" + 'ben: /rounds ask title="Any advice on rotas?"'
    )
    assert "Q&A needs a channel first." in out and "I've let the managers know." in out
    assert "[dm @amara]\n  @ben tried to ask a question, but there is no Q&A channel yet." in out


# -- anonymous questions -----------------------------------------------------------------------
ANONYMOUS_ASK = (
    'cara: /rounds ask title="My supervisor takes credit for my QI work" tags=conflict '
    "anonymous=yes"
)


async def test_an_anonymous_question_never_shows_the_askers_name(transcript: Transcript) -> None:
    out = await transcript(
        SETUP + ANONYMOUS_ASK + '\nben: /rounds answer 1 "Document your contributions."'
    )
    assert (
        "✓ Your question Q1 is up in #questions. I'll DM you when someone answers. Nobody sees your name."
        in out
    )
    card = block(out, "[#questions]")
    assert "Asked anonymously · conflict" in card and "cara" not in card
    assert "[dm @cara]\n  💬 @ben answered your question" in out  # the asker still hears
    out = await transcript("ben: /rounds qa show 1\nben: /rounds qa search supervisor credit")
    assert "@cara" not in out and "Asked anonymously" in out


async def test_a_manager_can_see_who_asked_only_through_the_audited_command(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + "amara: /rounds config channel managers #leads\n"
        + ANONYMOUS_ASK
        + "\nben: /rounds qa author 1\namara: /rounds qa author 1"
    )
    assert "Only community managers can do that." in out
    assert "[private @amara]\n  Q1 was asked by @cara. Please keep it to yourself" in out
    assert "[#leads]\n  🔎 @amara looked up who asked the anonymous question Q1." in out
    async with store.sessions() as session:
        audit = (await session.execute(text("select manager_id from qa_author_reveals"))).all()
    assert len(audit) == 1
    out = await transcript('ben: /rounds ask title="Named question"\namara: /rounds qa author 2')
    assert "Q2 isn't anonymous: @ben asked it. Nothing was recorded." in out


async def test_anonymous_questions_can_be_turned_off(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(SETUP + "amara: /rounds config set qa.anonymous=off\n" + ANONYMOUS_ASK)
    assert "Anonymous questions are turned off in this community." in out
    assert await questions(store) == []


async def test_in_review_mode_a_manager_approves_before_it_posts(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + "amara: /rounds config set qa.anonymous=review\n"
        + "amara: /rounds config channel managers #leads\n"
        + ANONYMOUS_ASK
    )
    assert "Anonymous questions are checked by a manager first" in out
    review = block(out, "[#leads]")
    assert review.startswith("  🕵️ An anonymous question is waiting for a manager's approval:")
    assert "**My supervisor takes credit for my QI work**" in review and "cara" not in review
    assert "[#questions]" not in out and await questions(store) == []
    out = await transcript('ben: click "Approve"\namara: click "Approve"\namara: click "Decline"')
    assert "Only community managers can approve questions." in out
    assert "✓ Approved by @amara: Q1 is up." in out
    assert "[#questions]\n  ❓ **Q1: My supervisor takes credit for my QI work**" in out
    assert "[dm @cara]\n  ✓ Your anonymous question Q1 was approved and is up in #questions." in out
    assert "Another manager has already dealt with that question." in out


async def test_a_declined_anonymous_question_is_not_posted(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + "amara: /rounds config set qa.anonymous=review\n"
        + ANONYMOUS_ASK
        + '\namara: click "Decline"'
    )
    assert "Declined by @amara." in out
    assert "[dm @cara]\n  A manager didn't approve your anonymous question" in out
    assert "[#questions]" not in out
