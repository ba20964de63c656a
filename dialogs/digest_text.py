"""The digest as plain text, for `cqcbot digest` in a terminal: everything, nothing cut short."""

from __future__ import annotations

from dialogs import digest_items as words
from dialogs.formatting import long_date, month_label, percent, short_date
from domain.digest_model import Digest


def render_digest_text(digest: Digest) -> str:
    out = [
        f"CQC improvement digest — {month_label(digest.month)}",
        f"{digest.organisation} · as at {short_date(digest.as_of)}",
        "",
    ]
    if digest.response is not None and digest.deadline is not None:
        rate = digest.response
        share = f" ({percent(rate.share)})" if rate.share is not None else ""
        passed = " (passed)" if digest.past_deadline else ""
        out += [
            f"Actions updated: {rate.actions_answered} of {rate.actions_asked}{share}",
            f"Owners who answered in full: {rate.people_answered} of {rate.people_asked}",
            f"Deadline: {long_date(digest.deadline)}{passed}",
        ]
    else:
        out.append(f"No progress round was opened for {month_label(digest.month)}.")
    totals = ", ".join(f"{n} {words.rag_word(rag).lower()}" for rag, n in digest.totals)
    out += [f"All actions: {totals or 'none'}", ""]
    out.append(f"By theme (change since {month_label(digest.previous_month)}):")
    out += [f"  {t.name}: {words.theme_words(t)}" for t in digest.themes]
    out += _section(
        "Red and amber — blockers and support asked",
        [
            f"  {c.ref} · {words.rag_word(c.rag)}"
            + (f" (was {words.rag_word(c.previous_rag)})" if c.previous_rag not in (None, c.rag) else "")
            + f" · {c.owner_name}\n    {words.plain(c.requirement, 400)}\n    "
            + (f"Support asked: {words.plain(c.blockers, 1000)}" if c.blockers else "No blockers given.")
            for c in digest.concerns
        ],
    )
    kind = "overdue" if digest.past_deadline else "waiting"
    people = (
        [words.person_line(kind, n) for n in digest.overdue]
        + [words.person_line("unreachable", n) for n in digest.unreachable]
        + [words.person_line("away", n) for n in digest.away]
    )
    out += _section(
        "Overdue, away or unreachable" if digest.past_deadline else "Not yet answered, away or unreachable",
        [f"  {line.replace('**', '')}" for line in people],
    )
    out += _section(
        "Completed this month",
        [f"  {c.ref} — {words.plain(c.requirement, 400)} ({c.owner_name})" for c in digest.completions],
    )
    out += _section(
        "Waiting lists and DoLS",
        [
            f"  {m.name}: {m.status.label}\n    "
            + "; ".join(f"{f['title']} {f['value']}" for f in words.metric_facts(m))
            for m in digest.metrics
        ],
    )
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", f"{title}:", *(lines or ["  None."])]
