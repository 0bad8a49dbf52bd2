"""Agency credits wherever they are written, picture credits apart (wiretrace.text.credits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wiretrace.pipeline import analyze
from wiretrace.settings import Settings
from wiretrace.store.db import Store
from wiretrace.text.credits import find_credits

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "examples"


@pytest.mark.parametrize(
    ("text", "credited", "pictures"),
    [
        ("Moskau (dpa) - Putin traf Hollande.", ("dpa",), ()),
        ("PARIS (AFP) – Le président a parlé.", ("AFP",), ()),
        ("Berlin (dpa/AFP/jk): Der Bundestag hat entschieden.", ("AFP", "dpa"), ()),
        ("Erster Absatz.\n\nDas war es. (dpa)\n\nWeiter geht es.", ("dpa",), ()),
        ("Text.\n\nMit Material der AP und der dpa\n\n+++ Blog +++", ("AP", "dpa"), ()),
        ("Text.\n\nQuelle: Reuters/dpa", ("Reuters", "dpa"), ()),
        ("WASHINGTON (Reuters) - The vote.\n\n(Reporting by A. B.; Editing by C. D.)", ("Reuters",), ()),
        ("Texte.\n\n(avec AFP)", ("AFP",), ()),
        ("Letzter Satz.\n\ndpa", ("dpa",), ()),
        ("Titel\n\nAFP\nHollande und Putin gestern abend\n\nDer Text.", (), ("AFP",)),
        ("Foto: picture alliance/dpa/Anna Berg\nDer Kanzler sprach.", (), ("dpa",)),
        ("(Foto: AFP) Die Lage.\n\nMit Material von Reuters", ("Reuters",), ("AFP",)),
        ("© AFP 2015. Der Text.", (), ("AFP",)),
        ("Bild: Getty Images/AFP\n\nBerlin (dpa) - Text.", ("dpa",), ("AFP",)),
        ("Die Nachrichtenagentur Reuters berichtete, AP bestätigte.", (), ()),
        ("Laut AP (Associated Press) kamen viele.", (), ()),
        ("Er sagte (AP) nichts weiter dazu.", (), ()),
    ],
)
def test_credits_where_they_are_written(
    text: str, credited: tuple[str, ...], pictures: tuple[str, ...]
) -> None:
    found = find_credits(text)
    assert (found.text, found.image) == (credited, pictures)
    for credit in found.found:  # every span is where the credit is written
        assert credit.agency.lower() in text[credit.start : credit.end].lower() or (
            credit.agency == "Reuters" and "rtr" in text[credit.start : credit.end].lower()
        )


def test_a_regional_agency_is_found_when_named() -> None:
    text = "Brackenfeld (nwa) – Die Ramse steigt.\n\nMit Material der nwa"
    assert find_credits(text).text == ()
    assert find_credits(text, extra=["nwa"]).text == ("nwa",)


@pytest.mark.skipif(not EXAMPLES.exists(), reason="needs ../shared/examples")
def test_the_canonical_pair() -> None:
    # The regional paper credits dpa; the online outlet credits "AP und dpa" mid-text, and its
    # "AFP" stands alone above a picture caption: an image credit, not a text source.
    regional = find_credits((EXAMPLES / "moskau-regional-dpa.txt").read_text(encoding="utf-8"))
    online = find_credits((EXAMPLES / "moskau-huffpost.txt").read_text(encoding="utf-8"))
    assert (regional.text, regional.image) == (("dpa",), ())
    assert (online.text, online.image) == (("AP", "dpa"), ("AFP",))


def test_the_bundled_corpus_with_its_agency(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    records = [json.loads(line) for line in (ROOT / "examples" / "corpus.jsonl").open()]
    from wiretrace.io.readers import load_corpus

    articles = list(load_corpus(ROOT / "examples" / "corpus.jsonl").values())
    analyze(articles, str(db), jobs=1)
    settings = Settings().with_overrides({"corpus": {"agencies": ["nwa"]}})
    # Other agency names: the credits are found again, and nothing else is redone.
    summary = analyze([], str(db), settings=settings, jobs=1)
    assert summary.recredited == len(records)
    assert summary.refingerprinted == 0 and summary.realigned_for_rules == 0
    with Store.open(db, read_only=True) as store:
        credited = {r["id"]: json.loads(r["agencies"]) for r in store.article_rows()}
    assert credited["flood-wire"] == ["nwa"] and credited["flood-jetzt"] == ["nwa"]
    assert credited["flood-kurier"] == []
    assert analyze([], str(db), settings=settings, jobs=1).recredited == 0
