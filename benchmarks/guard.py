"""The patient-information guard on its labelled evaluation set: precision, recall, recall
per kind, and time per message (`python -m benchmarks.guard`).

A message counts as flagged when the guard finds any identifier in it; a kind counts as
recalled when the guard names that kind. `tests/data/guard_eval.jsonl` is the set the rules
were written against; `tests/data/guard_heldout.jsonl` was written after them, untouched since.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.guard import Kind, kinds, scan

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = ("guard_eval.jsonl", "guard_heldout.jsonl")
TIMING_ROUNDS = 20


@dataclass
class Report:
    messages: int = 0
    with_identifiers: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    per_kind: Counter[str] = field(default_factory=Counter)
    per_kind_found: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    wrongly_flagged: list[str] = field(default_factory=list)
    ms_per_message: float = 0.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.with_identifiers if self.with_identifiers else 1.0

    def kind_recall(self, kind: str) -> float:
        return self.per_kind_found[kind] / self.per_kind[kind] if self.per_kind[kind] else 1.0


def load(name: str) -> list[tuple[str, frozenset[str]]]:
    rows = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((row["text"], frozenset(row["kinds"])))
    return rows


def evaluate(rows: list[tuple[str, frozenset[str]]]) -> Report:
    report = Report(messages=len(rows))
    for text, labelled in rows:
        found = {str(k) for k in kinds(text)}
        if labelled:
            report.with_identifiers += 1
            if found:
                report.true_positives += 1
            else:
                report.false_negatives += 1
                report.missed.append(text)
        elif found:
            report.false_positives += 1
            report.wrongly_flagged.append(text)
        for kind in labelled:
            report.per_kind[kind] += 1
            report.per_kind_found[kind] += kind in found
    started = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for text, _labels in rows:
            scan(text)
    elapsed = time.perf_counter() - started
    report.ms_per_message = elapsed * 1000 / (TIMING_ROUNDS * len(rows))
    return report


def main() -> int:
    scan("warm up: +44 20 7946 0958")  # the first `+` loads phonenumbers' metadata
    for name in SETS:
        report = evaluate(load(name))
        print(
            f"{name}: {report.messages} messages, {report.with_identifiers} with identifiers\n"
            f"  precision {report.precision:.3f}  recall {report.recall:.3f}  "
            f"{report.ms_per_message:.3f} ms/message"
        )
        print(
            "  recall per kind: "
            + ", ".join(
                f"{kind} {report.kind_recall(kind):.2f} ({report.per_kind[kind]})"
                for kind in Kind
                if report.per_kind[kind]
            )
        )
        for text in report.missed:
            print(f"  missed: {text}")
        for text in report.wrongly_flagged:
            print(f"  flagged but clean: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
