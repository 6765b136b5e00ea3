"""``casegraph extract`` without a database: reading files, languages, entities in English,
Russian and Kazakh, places, amounts and dates, the relationship patterns, the spans."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest

from casegraph.extract.documents import document_from_text, read_document
from casegraph.extract.language import detect_language
from casegraph.extract.pipeline import extract
from casegraph.extract.places import normalize_place

ROOT = Path(__file__).resolve().parents[1]


def seed_article() -> Path:
    """The seed article: in shared/ beside the clone (CI, the main checkout) or at /work."""
    for path in (
        ROOT.parent / "shared" / "data" / "seed-article.txt",
        Path("/work/shared/data/seed-article.txt"),
    ):
        if path.exists():
            return path
    return path


def _run(text: str, lang: str = "auto") -> dict[str, Any]:
    return extract(document_from_text(text, name="t.txt"), language=lang)


def _names(out: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["label"] for e in out["entities"]}


def _pattern_rels(out: dict[str, Any]) -> set[tuple[str, str | None, str]]:
    return {
        (r["type"], r["from"], r["to"]) for r in out["relationships"] if r["basis"] == "pattern"
    }


def _assert_spans(text: str, out: dict[str, Any]) -> None:
    for e in out["entities"]:
        for m in e["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
    for r in out["relationships"]:
        ev = r["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"]


def test_english_people_organizations_places_and_who_leads_what() -> None:
    text = (
        "Over 1,000 Kazakhs have gone missing, as reported by the head of the Criminal Police "
        'Department, Duman Taev. Anna Ryl, head of the "Korgau Astana" foundation, said that '
        "victims were taken to Bahrain and South Korea."
    )
    out = _run(text)
    assert out["source"]["language"] == "en"
    names = _names(out)
    assert names["Duman Taev"] == "Person"
    assert names["Anna Ryl"] == "Person"
    assert names["Criminal Police Department"] == "Organization"
    assert names["Korgau Astana"] == "Organization"
    assert names["Bahrain"] == names["South Korea"] == "Location"
    rels = _pattern_rels(out)
    assert ("LEADS", "Duman Taev", "Criminal Police Department") in rels
    assert ("LEADS", "Anna Ryl", "Korgau Astana") in rels
    _assert_spans(text, out)


def test_russian_names_come_out_in_the_nominative() -> None:
    text = (
        "Глава фонда «Коргау Астана» Анна Рыль рассказала, что Жандоса Кенжебаева вывезли "
        "из Астаны в Бахрейн."
    )
    out = _run(text)
    assert out["source"]["language"] == "ru"
    names = _names(out)
    assert names["Жандос Кенжебаев"] == "Person"
    assert names["Анна Рыль"] == "Person"
    assert names["Astana"] == "Location"  # «Астаны» → Астана → one place, named in English
    assert names["Bahrain"] == "Location"
    kenzhebaev = next(e for e in out["entities"] if e["name"] == "Жандос Кенжебаев")
    assert kenzhebaev["mentions"][0]["text"] == "Жандоса Кенжебаева"
    rels = _pattern_rels(out)
    assert ("LEADS", "Анна Рыль", "Коргау Астана") in rels
    assert ("TRAFFICKED_TO", "Жандос Кенжебаев", "Bahrain") in rels
    assert ("TRAFFICKED_TO", "Анна Рыль", "Bahrain") not in rels  # she only told of it
    assert ("TRAFFICKED_TO", "Жандос Кенжебаев", "Astana") not in rels  # taken *from* Astana
    _assert_spans(text, out)


def test_kazakh_places_lose_their_case_endings() -> None:
    text = (
        "Алматыда «Қорғау Астана» қорының басшысы Анна Рыль Түркияға кеткен әйелдер туралы айтты."
    )
    out = _run(text)
    assert out["source"]["language"] == "kk"
    names = _names(out)
    assert names["Almaty"] == "Location"
    assert names["Turkey"] == "Location"
    assert names["Қорғау Астана"] == "Organization"
    assert names["Анна Рыль"] == "Person"


@pytest.mark.parametrize("spelling", ["Bahrain", "Бахрейн", "BH", "Kingdom of Bahrain"])
def test_every_spelling_of_a_country_is_one_place(spelling: str) -> None:
    place = normalize_place(spelling)
    assert place is not None
    assert (place.name, place.iso_code) == ("Bahrain", "BH")


def test_one_place_named_in_two_languages_is_one_entity() -> None:
    out = _run("Victims were taken to Turkey (Турция, Türkiye).", "en")
    turkey = [e for e in out["entities"] if e["label"] == "Location"]
    assert [e["name"] for e in turkey] == ["Turkey"]
    assert turkey[0]["properties"]["iso_code"] == "TR"


def test_money_and_dates_attach_to_the_investment() -> None:
    text = "In 2017 Ivan Petrov invested 5 million tenge in Questra World."
    out = _run(text, "en")
    inv = [r for r in out["relationships"] if r["type"] == "INVESTED_IN"]
    assert len(inv) == 1
    assert (inv[0]["from"], inv[0]["to"]) == ("Ivan Petrov", "Questra World")
    assert inv[0]["properties"] == {"amount": 5_000_000.0, "currency": "KZT", "date": "2017"}
    assert inv[0]["amounts"][0]["text"] == "5 million tenge"
    assert inv[0]["confidence"] > 0.5


def test_russian_money_in_millions_of_tenge() -> None:
    out = _run("Иван Петров вложил 2,5 млн тенге в компанию «Questra Holding» в 2016 году.", "ru")
    inv = [r for r in out["relationships"] if r["type"] == "INVESTED_IN"]
    assert inv and inv[0]["properties"]["amount"] == 2_500_000.0
    assert inv[0]["properties"]["currency"] == "KZT"


def test_forced_into_prostitution_is_sexual_exploitation() -> None:
    out = _run("Aigul Sadykova forced Maria Ivanova into prostitution in Almaty.", "en")
    exploited = [r for r in out["relationships"] if r["type"] == "EXPLOITED"]
    assert [(r["from"], r["to"], r["properties"]) for r in exploited] == [
        ("Aigul Sadykova", "Maria Ivanova", {"form": "sexual"})
    ]


def test_unnamed_people_taken_abroad_leave_the_person_to_the_reviewer() -> None:
    text = "Kazakhs have been taken abroad to Bahrain, Turkey, and South Korea for forced labor."
    out = _run(text, "en")
    taken = [r for r in out["relationships"] if r["type"] == "TRAFFICKED_TO"]
    assert {r["to"] for r in taken} == {"Bahrain", "Turkey", "South Korea"}
    for r in taken:
        assert r["from"] is None
        assert r["from_text"]["text"] == "Kazakhs"
        assert r["properties"] == {"purpose": "labor exploitation"}


def test_co_occurrence_is_marked_and_ranks_below_patterns() -> None:
    out = _run("Anna Ryl met Duman Taev in Almaty.", "en")
    co = [r for r in out["relationships"] if r["basis"] == "co-occurrence"]
    assert co, out["relationships"]
    assert all(r["type"] == "LINKED_TO" and r["confidence"] < 0.5 for r in co)
    assert {r["from"] for r in co} | {r["to"] for r in co} >= {"Anna Ryl", "Duman Taev"}


def test_a_pattern_never_proposes_a_type_the_model_does_not_allow() -> None:
    # "head of" a place: LEADS allows only organizations and cases as the led
    out = _run("Duman Taev, head of Almaty, spoke.", "en")
    assert not any(r["type"] == "LEADS" for r in out["relationships"])


def test_the_seed_article_gives_its_people_organizations_and_places() -> None:
    path = seed_article()
    if not path.exists():
        pytest.skip("the seed article is not beside the project")
    out = extract(read_document(path))
    names = set(_names(out))
    assert {"Duman Taev", "Anna Ryl", "Alzhanova", "Nurdilda Oraz"} <= names
    assert {"Questra World", "Questra Holding", "Five Winds Asset Management"} <= names
    assert {"Kazakhstan", "Almaty", "Bahrain", "Turkey", "South Korea", "Uzbekistan"} <= names
    assert len(names) <= 45
    _assert_spans(path.read_text(encoding="utf-8"), out)


# -- files --------------------------------------------------------------------------------------


def test_html_keeps_the_main_text_and_the_title(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><title>Trafficking report</title></head><body>"
        "<nav>Home | About | Contact</nav><article><h1>Trafficking report</h1>"
        "<p>Anna Ryl, head of the Korgau Astana foundation, said victims were taken to Bahrain."
        " The foundation works in Almaty and helps women who return home.</p></article>"
        "<footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_document(page)
    assert doc.title == "Trafficking report"
    assert "Anna Ryl" in doc.text and "Home | About" not in doc.text
    assert doc.media_type == "text/html"


def test_docx_paragraphs_are_read(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Case file"
    d.add_paragraph("Duman Taev, head of the Criminal Police Department, spoke in Astana.")
    path = tmp_path / "case.docx"
    d.save(str(path))
    doc = read_document(path)
    assert doc.title == "Case file"
    out = extract(doc)
    assert {"Duman Taev", "Astana"} <= set(_names(out))


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica (Latin only)."""
    stream = f"BT /F1 12 Tf 40 700 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zlib.compress(stream))
        + zlib.compress(stream)
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(_pdf("Nurdilda Oraz spoke about Questra World in Almaty."))
    doc = read_document(path)
    assert "Nurdilda Oraz" in doc.text
    assert len(doc.sha256) == 64
    assert "Almaty" in _names(extract(doc))


def test_windows_1251_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_bytes("Анна Рыль возглавляет фонд «Коргау Астана» в Астане.".encode("cp1251"))
    doc = read_document(path)
    assert doc.text.startswith("Анна Рыль")
    assert detect_language(doc.text) == "ru"


# -- the command line, without a database ---------------------------------------------------


def test_cli_table_names_what_was_found_and_what_leads_what(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from casegraph.cli import app

    doc = tmp_path / "ru.txt"
    doc.write_text(
        "Глава фонда «Коргау Астана» Анна Рыль рассказала, что Жандоса Кенжебаева вывезли "
        "из Астаны в Бахрейн.",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["extract", str(doc), "--no-link"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Жандос Кенжебаев" in result.output and "(ru," in result.output
    assert "TRAFFICKED_TO" in result.output and "LEADS" in result.output


def test_cli_refuses_an_unknown_language_and_a_missing_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from casegraph.cli import app

    doc = tmp_path / "a.txt"
    doc.write_text("Anna Ryl.", encoding="utf-8")
    bad_lang = CliRunner().invoke(app, ["extract", str(doc), "--lang", "de", "--no-link"])
    assert bad_lang.exit_code == 1
    assert "--lang must be one of auto, en, ru, kk" in bad_lang.output
    missing = CliRunner().invoke(app, ["extract", str(tmp_path / "nope.txt"), "--no-link"])
    assert missing.exit_code == 1
    said = missing.output.replace("\n", "")  # as the terminal shows it, unwrapped
    assert "cannot read" in said and "nope.txt" in said
