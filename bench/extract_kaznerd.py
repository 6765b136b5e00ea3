"""Kazakh NER of ``casegraph extract`` on KazNERD's test split, per class P/R/F1.

KazNERD is public (github: IS2AI/KazNERD, ``KazNERD/IOB2_test.txt``: one token and its IOB2
tag a line, sentences separated by empty lines). The tokens of each sentence are joined by
spaces, sentences by new lines, 100 sentences a document, and the Kazakh recognizer runs
on that text. Gold classes: PERSON → Person, ORGANISATION → Organization, GPE and LOCATION
→ Location (the other 20 classes are not extracted). A proposed mention is right when it
overlaps a gold mention of its class: a lenient, mention-level score.

Usage::

    .venv/bin/python bench/extract_kaznerd.py /path/to/IOB2_test.txt [--limit 3000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from casegraph.extract.recognizers import KazakhRecognizer

CLASSES = {
    "PERSON": "Person",
    "ORGANISATION": "Organization",
    "GPE": "Location",
    "LOCATION": "Location",
}
LABELS = ("Person", "Organization", "Location")


def sentences(path: Path) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            if out[-1]:
                out.append([])
            continue
        out[-1].append((parts[0], parts[-1]))
    return [s for s in out if s]


def document(sents: list[list[tuple[str, str]]]) -> tuple[str, list[tuple[int, int, str]]]:
    text = ""
    gold: list[tuple[int, int, str]] = []
    for sent in sents:
        current: list[int] | None = None
        label = ""
        for token, tag in sent:
            if text and not text.endswith("\n"):
                text += " "
            start = len(text)
            text += token
            if tag.startswith("B-") or (tag.startswith("I-") and current is None):
                if current is not None and label:
                    gold.append((current[0], current[1], label))
                label = CLASSES.get(tag[2:], "")
                current = [start, len(text)]
            elif tag.startswith("I-") and current is not None:
                current[1] = len(text)
            else:
                if current is not None and label:
                    gold.append((current[0], current[1], label))
                current = None
        if current is not None and label:
            gold.append((current[0], current[1], label))
        text += "\n"
    return text, gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("test", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    args = parser.parse_args()
    sents = sentences(args.test)
    if args.limit:
        sents = sents[: args.limit]
    rec = KazakhRecognizer()
    rec.recognize("Алматы.")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    found: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    chars = 0
    start = time.process_time()
    for i in range(0, len(sents), 100):
        text, gold = document(sents[i : i + 100])
        chars += len(text)
        gold_n.update(g[2] for g in gold)
        pred = [m for m in rec.recognize(text) if m.label in LABELS]
        hit: set[int] = set()
        for m in pred:
            idx = [
                j
                for j, (s, e, lab) in enumerate(gold)
                if s < m.end and m.start < e and lab == m.label
            ]
            if idx:
                tp[m.label] += 1
                hit.update(idx)
            else:
                fp[m.label] += 1
        for j in hit:
            found[gold[j][2]] += 1
    cpu = time.process_time() - start
    print(f"KazNERD test: {len(sents)} sentences, {chars / 1800:.0f} pages\n")
    print("| class | precision | recall | F1 | proposed | gold |\n|---|---|---|---|---|---|")
    for label in LABELS:
        p = tp[label] / max(tp[label] + fp[label], 1)
        r = found[label] / max(gold_n[label], 1)
        f = 2 * p * r / max(p + r, 1e-9)
        print(
            f"| {label} | {p:.3f} | {r:.3f} | {f:.3f} | {tp[label] + fp[label]} | {gold_n[label]} |"
        )
    print(f"\nCPU: {cpu:.1f} s ({chars / 1800 / cpu:.1f} pages per CPU-second)")


if __name__ == "__main__":
    main()
