"""Benchmark and evaluation of ``casegraph extract``.

1. The seed article: the 18 named people, organizations and places of issue 14, each as
   expected / proposed (the name it was proposed under) / linked (the graph entity, with
   ``--uri`` of a Neo4j holding the seed). Goal: >= 16 proposed, <= 45 names in all.
2. Speed on a corpus: ``--docs`` texts (default 200) of about one page (1,800 characters)
   each, made by shuffling the sentences of the seed article and of a Russian text, run in
   one process (one core): pages/s, and the process's peak memory (ru_maxrss).

Usage::

    .venv/bin/python bench/extract.py --article ../shared/data/seed-article.txt
    .venv/bin/python bench/extract.py --article FILE --uri bolt://127.0.0.1:7687  # seed loaded
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path
from typing import Any

from casegraph.extract.documents import document_from_text, read_document
from casegraph.extract.linking import Linker
from casegraph.extract.pipeline import extract
from casegraph.graph.names import name_key

EXPECTED = {
    "Duman Taev": "per-duman-taev",
    "Anna Ryl": "per-anna-ryl",
    "Alzhanova": "per-alzhanova",
    "Nurdilda Oraz": "per-nurdilda-oraz",
    "Questra World": "org-questra-world",
    "Questra Holding": "org-questra-holding",
    "Atlantic Global Asset Management": "org-atlantic-global-asset-management",
    "Five Winds Asset Management": "org-five-winds-asset-management",
    "Korgau Astana": "org-korgau-astana",
    "Criminal Police Department": "org-criminal-police-department",
    "Ministry of Internal Affairs": "org-mvd-kazakhstan",
    "Investigative Department": "org-mvd-investigative-department",
    "Kazakhstan": "loc-kazakhstan",
    "Almaty": "loc-almaty",
    "Bahrain": "loc-bahrain",
    "Turkey": "loc-turkey",
    "South Korea": "loc-south-korea",
    "Uzbekistan": "loc-uzbekistan",
}
PAGE = 1800
RUSSIAN = (
    "Глава фонда «Коргау Астана» Анна Рыль рассказала, что Жандоса Кенжебаева вывезли из "
    "Астаны в Бахрейн. Следственный департамент МВД Казахстана расследует дело о финансовой "
    "пирамиде Questra World. Вкладчики вложили около 1 млрд тенге в компанию «Questra "
    "Holding» в 2016 году. Начальник Департамента криминальной полиции Думан Таев сообщил, "
    "что более тысячи казахстанцев пропали без вести. Двух женщин из Алматы обвиняют в том, "
    "что они принудили 16-летнюю девушку к проституции."
)


def _proposed(expected: str, entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    key = name_key(expected)
    for e in entities:
        if name_key(e["name"]) == key:
            return e
    for e in entities:  # proposed under a longer name ("Investigative Department of the MVD")
        if f" {key} " in f" {name_key(e['name'])} ":
            return e
    return None


def seed_table(article: Path, uri: str | None) -> None:
    linker = None
    if uri:
        from casegraph.graph.db import GraphDB
        from casegraph.settings import Settings

        linker = Linker(GraphDB.from_settings(Settings(neo4j_uri=uri)), "admin")
    out = extract(read_document(article), linker=linker)
    ents = out["entities"]
    print("| expected | proposed as | linked to | right |\n|---|---|---|---|")
    proposed = linked_right = 0
    for name, eid in EXPECTED.items():
        e = _proposed(name, ents)
        match = (e or {}).get("match") or {}
        proposed += e is not None
        right = match.get("id") == eid
        linked_right += right
        mark = "yes" if right else ("-" if not linker else "NO")
        print(f"| {name} | {e['name'] if e else '**missed**'} | {match.get('id', '')} | {mark} |")
    print(
        f"\nproposed {proposed}/18 of the expected names; {len(ents)} names proposed in all; "
        + (f"linked correctly {linked_right}/18" if linker else "not linked (no --uri)")
    )
    others = [e["name"] for e in ents if _is_extra(e["name"])]
    print(f"other names proposed ({len(others)}): {', '.join(others)}")
    pattern = [r for r in out["relationships"] if r["basis"] == "pattern"]
    print(
        f"relationships: {len(pattern)} by pattern, "
        f"{len(out['relationships']) - len(pattern)} co-occurrence"
    )
    for r in pattern:
        who = r["from"] or f"[{r['from_text']['text']}]"
        print(f"  {r['type']}: {who} -> {r['to']} {r['properties'] or ''}")


def _is_extra(name: str) -> bool:
    key = name_key(name)
    return not any(name_key(x) == key or name_key(x) in key for x in EXPECTED)


def corpus(article: Path, docs: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    sentences = [s for s in article.read_text(encoding="utf-8").split("\n") if s.strip()]
    russian = [s + "." for s in RUSSIAN.split(". ") if s]
    out = []
    for i in range(docs):
        pool = russian if i % 4 == 3 else sentences
        text = ""
        while len(text) < PAGE:
            text += rng.choice(pool) + "\n"
        out.append(text)
    return out


def speed(article: Path, docs: int) -> None:
    texts = corpus(article, docs)
    extract(document_from_text(texts[0]))  # load the models (not timed)
    extract(document_from_text(texts[3]))
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(len(t) for t in texts)
    start = time.perf_counter()
    cpu0 = time.process_time()
    for t in texts:
        extract(document_from_text(t))
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    pages = chars / PAGE
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\ncorpus: {docs} texts, {pages:.0f} pages of {PAGE} characters (3 in 4 English, "
        f"1 in 4 Russian)\n"
        f"one process: {wall:.1f} s wall, {cpu:.1f} s CPU -> {pages / wall:.1f} pages/s "
        f"({pages / cpu:.1f} pages per CPU-second)\n"
        f"memory: peak RSS {peak:.0f} MiB (after loading the models: {loaded:.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=Path("../shared/data/seed-article.txt"))
    parser.add_argument("--uri", help="a Neo4j holding the seed, for linking")
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()
    seed_table(args.article, args.uri)
    if args.docs:
        speed(args.article, args.docs)


if __name__ == "__main__":
    main()
