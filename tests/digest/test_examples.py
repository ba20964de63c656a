"""docs/examples/ stays in step with the code: the text examples are regenerated and compared."""

from __future__ import annotations

import json

from dialogs.cards import MAX_CARD_BYTES, card_size_bytes
from tests.cards import validate_cards
from tests.digest.make_examples import EXAMPLES, example_report, text_examples


async def test_text_examples_match_what_the_code_writes() -> None:
    written = text_examples(await example_report())
    for name, text in written.items():
        committed = EXAMPLES / name
        assert committed.is_file(), f"missing {committed}: run python -m tests.digest.make_examples"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run python -m tests.digest.make_examples"
        )
    for suffix in ("docx", "html"):
        assert (EXAMPLES / f"board-appendix-2026-04.{suffix}").stat().st_size > 20_000
    card = json.loads(written["digest-2026-04.card.json"])
    assert card_size_bytes(card) <= MAX_CARD_BYTES
    assert validate_cards([card]) == [[]]
