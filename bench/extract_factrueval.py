"""Russian NER of ``casegraph extract`` on the factRuEval-2016 test set, per class P/R/F1.

The test set is public (github: dialogue-evaluation/factRuEval-2016, folder ``testset``:
``book_N.txt`` and its ``.objects`` / ``.spans``). Each gold object (Person, Org, Location,
LocOrg) is one mention whose extent runs from its first span's start to its last span's end.
A proposed mention is right when it overlaps a gold mention of a compatible class (LocOrg
counts as either Location or Organization; Facility and Project objects are left out). This
is a lenient, mention-level score: not the official factRuEval scorer.

Usage::

    .venv/bin/python bench/extract_factrueval.py /path/to/factRuEval-2016/testset
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from casegraph.extract.recognizers import RussianRecognizer

CLASSES = {"Person": "Person", "Org": "Organization", "Location": "Location"}


def gold(book: Path) -> list[tuple[int, int, set[str]]]:
    spans: dict[str, tuple[int, int]] = {}
    for line in book.with_suffix(".spans").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            start, length = int(parts[2]), int(parts[3])
            spans[parts[0]] = (start, start + length)
    out = []
    for line in book.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
        head = line.split("#")[0].split()
        if len(head) < 3:
            continue
        kind, ids = head[1], [i for i in head[2:] if i in spans]
        if kind == "LocOrg":
            labels = {"Location", "Organization"}
        elif kind in CLASSES:
            labels = {CLASSES[kind]}
        else:
            continue
        if ids:
            out.append((min(spans[i][0] for i in ids), max(spans[i][1] for i in ids), labels))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    books = sorted(args.testset.glob("book_*.txt"))
    if args.limit:
        books = books[: args.limit]
    rec = RussianRecognizer()
    rec.recognize("Прогрев.")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    chars = 0
    start = time.process_time()
    for book in books:
        text = book.read_text(encoding="utf-8")
        chars += len(text)
        g = gold(book)
        pred = [m for m in rec.recognize(text) if m.label in CLASSES.values()]
        hit_gold: set[int] = set()
        for m in pred:
            found = [
                i
                for i, (s, e, labels) in enumerate(g)
                if s < m.end and m.start < e and m.label in labels
            ]
            if found:
                tp[m.label] += 1
                hit_gold.update(found)
            else:
                fp[m.label] += 1
        for i, (_, _, labels) in enumerate(g):
            if i not in hit_gold:
                fn["/".join(sorted(labels)) if len(labels) > 1 else next(iter(labels))] += 1
    cpu = time.process_time() - start
    print(f"factRuEval-2016 testset: {len(books)} documents, {chars / 1800:.0f} pages\n")
    print("| class | precision | recall | F1 | proposed | gold missed |\n|---|---|---|---|---|---|")
    for label in ("Person", "Organization", "Location"):
        p = tp[label] / max(tp[label] + fp[label], 1)
        # recall: gold mentions of the class found (LocOrg counted with either class)
        missed = fn[label]
        gold_n = sum(1 for b in books for (_, _, ls) in gold(b) if ls == {label})
        found_n = gold_n - missed
        r = found_n / max(gold_n, 1)
        f = 2 * p * r / max(p + r, 1e-9)
        print(f"| {label} | {p:.3f} | {r:.3f} | {f:.3f} | {tp[label] + fp[label]} | {missed} |")
    print(f"\nLocOrg gold mentions missed: {fn['Location/Organization']}")
    print(f"CPU: {cpu:.1f} s ({chars / 1800 / cpu:.1f} pages per CPU-second)")


if __name__ == "__main__":
    main()
