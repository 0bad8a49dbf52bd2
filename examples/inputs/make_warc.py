"""Write the two WARC fixtures in warc/ (fictional pages, written for wiretrace).

    python examples/inputs/make_warc.py

Deterministic: every WARC-Record-ID and WARC-Date is fixed, so running it again gives
byte-identical files (warcio's gzip members carry no timestamp). Needs ``warcio``.

* ``warc/crawl-2024-05.warc`` (uncompressed): a warcinfo record, then for each of two pages a
  request and a ``text/html`` response, plus a ``text/plain`` robots.txt response that is not an
  article. The first page states its date in ``article:published_time``; the second states none,
  so a reader falls back to that response's ``WARC-Date`` (``2024-05-14T09:00:00Z``).
* ``warc/crawl-2025-01.warc.gz`` (one gzip member per record): two ``text/html`` responses, one
  dated by JSON-LD ``datePublished``, one by ``<time datetime>``.
"""

from __future__ import annotations

from html import escape
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent


def page(lang: str, title: str, site: str, paras: list[str], head_extra: str = "", meta_line: str = "") -> bytes:
    """A small news page: navigation and footer noise around an <article> with a headline."""
    body = "\n".join(f"      <p>{p}</p>" for p in paras)
    noise = {"de": ("Startseite", "Lokales", "Impressum · Datenschutz"),
             "en": ("Home", "News", "Contact us · Privacy")}[lang]
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <title>{escape(title)}</title>
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:site_name" content="{escape(site)}">
{head_extra}</head>
<body>
  <header><nav><a href="/">{noise[0]}</a> <a href="/news/">{noise[1]}</a></nav></header>
  <main>
    <article>
      <h1>{escape(title)}</h1>
{meta_line}
{body}
    </article>
  </main>
  <footer><p>{noise[2]}</p></footer>
</body>
</html>
""".encode()


def response(writer: WARCWriter, uri: str, body: bytes, date: str, record_id: str,
             content_type: str = "text/html; charset=utf-8", request_id: str | None = None) -> None:
    """Write an optional GET request and the HTTP 200 response for ``uri``."""
    if request_id:
        host = uri.split("/")[2]
        path = "/" + uri.split("/", 3)[3]
        req_headers = StatusAndHeaders(f"GET {path} HTTP/1.1",
                                       [("Host", host), ("User-Agent", "wiretrace-fixture-crawler/1.0"),
                                        ("Accept", "text/html")], is_http_request=True)
        writer.write_record(writer.create_warc_record(
            uri, "request", payload=BytesIO(b""), http_headers=req_headers,
            warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:{request_id}>", "WARC-Date": date,
                               "WARC-Concurrent-To": f"<urn:uuid:{record_id}>"}))
    http_headers = StatusAndHeaders("200 OK", [("Content-Type", content_type),
                                               ("Content-Length", str(len(body))),
                                               ("Server", "nginx")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        uri, "response", payload=BytesIO(body), http_headers=http_headers,
        warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:{record_id}>", "WARC-Date": date}))


def warcinfo(writer: WARCWriter, filename: str, record_id: str, date: str) -> None:
    fields = (f"software: wiretrace make_warc.py\r\nformat: WARC File Format 1.0\r\n"
              f"description: Fictional pages written for wiretrace tests\r\nfilename: {filename}\r\n").encode()
    writer.write_record(writer.create_warc_record(
        "", "warcinfo", payload=BytesIO(fields), warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:{record_id}>", "WARC-Date": date,
                           "WARC-Filename": filename}))


KURIER_RADWEG = page("de", "Radweg an der Ramse: Lückenschluss freigegeben", "Ramsetal-Kurier", [
    "Radfahrerinnen und Radfahrer können jetzt ohne Umweg von Brackenfeld nach Altenramse fahren. Am Dienstag wurde das letzte fehlende Stück des Ramse-Radwegs zwischen der Hafenbrücke und dem Ortseingang von Altenramse freigegeben. Die 2,6 Kilometer lange Strecke verläuft auf dem Deich und ist durchgehend asphaltiert.",
    "Bisher mussten Radler an dieser Stelle auf die viel befahrene Landesstraße ausweichen. „Das war für Familien mit Kindern schlicht zu gefährlich“, sagte Landrat Henning Voßkamp bei der Eröffnung. Der Bau hat rund 1,9 Millionen Euro gekostet.",
    "Weil der Deich im Sommer von Schafen beweidet wird, sind an beiden Enden Weideroste eingebaut. Radfahrer werden gebeten, dort abzusteigen und die Tore an den Überstiegen zu schließen.",
], head_extra='  <meta property="article:published_time" content="2024-05-14T06:30:00+02:00">\n')

JETZT_DORFLADEN = page("de", "Kleinhövede: Dorfladen mit Selbstbedienung rund um die Uhr", "NachrichtenJetzt", [
    "In Kleinhövede hat ein Dorfladen eröffnet, in dem die Kundschaft rund um die Uhr einkaufen kann. Tagsüber stehen zwei Verkäuferinnen hinter der Theke, nachts und am Sonntag öffnet die Tür mit einer Kundenkarte, bezahlt wird an einer Selbstbedienungskasse.",
    "Betrieben wird der Laden von der Genossenschaft „Unser Laden Kleinhövede“, die 230 Mitglieder hat. Im Sortiment sind rund 2.000 Artikel, darunter Brot, Milch und Gemüse von Höfen aus der Umgebung. „Seit die Sparkasse und der Bäcker weg sind, fehlte hier ein Treffpunkt“, sagt Genossenschaftsvorstand Arne Kruse.",
    "Kameras überwachen den Laden in der Nacht. Diebstähle habe es in vergleichbaren Läden bisher kaum gegeben, heißt es vom Verband der Dorfläden. Die Genossenschaft will im Herbst Bilanz ziehen.",
])

POST_FLOOD = page("en", "After the flood, Brackenfeld counts the cost", "The Continental Post", [
    "Six days after the river Ramse burst its banks, the old town of Brackenfeld smells of wet plaster and diesel. Pumps still rattle in cellars along Gerbergasse, and skips outside almost every house are filled with ruined sofas, carpets and books.",
    "Local officials estimate the damage at more than 60 million euros. Around 350 buildings were affected, many of them half-timbered houses more than two centuries old. &ldquo;The insurance assessors are working as fast as they can, but people want to know now whether they can rebuild,&rdquo; said Anke Thiessen, the town&rsquo;s mayor.",
    "The flood has revived a long-running dispute over a mobile flood wall for the riverside street, Uferstra&szlig;e, which has been held up in court for years. Residents say they will not wait for another flood before the wall is built.",
], head_extra="""  <script type="application/ld+json">
  {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "After the flood, Brackenfeld counts the cost",
   "datePublished": "2025-01-15T10:00:00+01:00", "author": {"@type": "Person", "name": "Clara Whitcombe"}}
  </script>
""")

LW_DEICH = page("de", "Altenramse: Deich wird nach Hochwasser geprüft", "Landeswelle Nord", [
    "Nach dem Hochwasser lässt der Deichverband Ramse den Deich bei Altenramse auf seiner ganzen Länge untersuchen. Taucher und Geologen suchen seit Mittwoch nach Stellen, an denen das Wasser den Deichkörper aufgeweicht haben könnte. An zwei Stellen hatten Anwohner während der Flut Sickerwasser auf der Landseite bemerkt.",
    "„Wir nehmen jeden Hinweis ernst“, sagte Verbandsvorsteher Jens Hinrichs. Die Untersuchung soll bis Ende Februar dauern. Bis dahin bleibt der Deichweg zwischen Fähranleger und Schöpfwerk für Spaziergänger gesperrt.",
    "Der Deich bei Altenramse war zuletzt 2009 erhöht worden. Ob er erneut verstärkt werden muss, soll nach der Untersuchung ein Gutachten klären.",
], meta_line='      <p class="meta"><time datetime="2025-01-15T16:30:00+01:00">15.01.2025, 16:30 Uhr</time></p>')


def main() -> None:
    out = HERE / "warc"
    out.mkdir(exist_ok=True)

    with open(out / "crawl-2024-05.warc", "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        warcinfo(w, "crawl-2024-05.warc", "3f0e2a4c-0001-4b5e-9c7d-000000000001", "2024-05-14T08:59:58Z")
        response(w, "https://www.ramsetal-kurier.example.org/robots.txt",
                 b"User-agent: *\nDisallow: /intern/\n", "2024-05-14T08:59:59Z",
                 "3f0e2a4c-0001-4b5e-9c7d-000000000002", content_type="text/plain")
        response(w, "https://www.ramsetal-kurier.example.org/lokales/2024/05/14/ramse-radweg-lueckenschluss",
                 KURIER_RADWEG, "2024-05-14T08:59:59Z", "3f0e2a4c-0001-4b5e-9c7d-000000000004",
                 request_id="3f0e2a4c-0001-4b5e-9c7d-000000000003")
        response(w, "https://www.nachrichtenjetzt.example.com/regional/kleinhoevede-dorfladen-rund-um-die-uhr",
                 JETZT_DORFLADEN, "2024-05-14T09:00:00Z", "3f0e2a4c-0001-4b5e-9c7d-000000000006",
                 request_id="3f0e2a4c-0001-4b5e-9c7d-000000000005")

    with open(out / "crawl-2025-01.warc.gz", "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        warcinfo(w, "crawl-2025-01.warc.gz", "3f0e2a4c-0002-4b5e-9c7d-000000000001", "2025-01-15T17:00:00Z")
        response(w, "https://www.continental-post.example.com/europe/2025/01/brackenfeld-flood-recovery",
                 POST_FLOOD, "2025-01-15T17:00:05Z", "3f0e2a4c-0002-4b5e-9c7d-000000000002")
        response(w, "https://www.landeswelle-nord.example.org/nachrichten/altenramse-deich-pruefung",
                 LW_DEICH, "2025-01-15T17:00:09Z", "3f0e2a4c-0002-4b5e-9c7d-000000000003")


if __name__ == "__main__":
    main()
