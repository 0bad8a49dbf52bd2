"""``report.html``: one self-contained page summarising a store (written by ``analyze --out``).

The page holds the summary counts, the outlets (their shares of agency copy, text from other
outlets and own text, and who takes from whom, as inline SVG pictures), the largest
stories, the most copied passages and the least original articles; articles are named by
title (or first words), outlet and date (:mod:`wiretrace.report.names`), their ids are
tooltips. Everything is inline (CSS
in a ``<style>`` element, no scripts, fonts, images or links to other files), so the file can be
mailed, opened offline and printed. Every text from the store is HTML-escaped (Jinja2
autoescape).

Example::

    >>> with Store.open("wiretrace.db", read_only=True) as store:     # doctest: +SKIP
    ...     Path("report.html").write_text(render_report(store), encoding="utf-8")
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import jinja2

from wiretrace import __version__
from wiretrace.report.browse import list_stories
from wiretrace.report.names import readable_time
from wiretrace.report.overview import corpus_overview

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.store.db import Store

__all__ = ["render_report"]

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="wiretrace {{ version }}">
<title>wiretrace report: {{ o.articles }} articles</title>
<style>
:root { --ink: #1d232b; --dim: #5c6773; --line: #d9dee4; --accent: #1f5fa8; --bg: #fff; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--bg); margin: 0 auto; max-width: 980px; padding: 24px 16px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.15em; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--dim); font-size: .9em; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 1.4em; }
.card span { color: var(--dim); font-size: .85em; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--dim); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.excerpt { color: #333; }
.empty { color: var(--dim); font-style: italic; }
td .meta { margin: 0; font-size: .85em; }
@media print { body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style>
</head>
<body>
{#- An article: its name (title or first words) with the id as tooltip, outlet and date below. -#}
{% macro article(n) -%}
<span class="name" title="{{ n.id }}">{{ n.name }}</span>{% if n.meta %}<div class="meta">{{ n.meta }}</div>{% endif %}
{%- endmacro %}
<h1>wiretrace report</h1>
<p class="meta">{{ o.articles }} articles from {{ o.outlets }} outlets · store {{ store_name }}
· written {{ written }} by wiretrace {{ version }}</p>
<div class="cards">
  <div class="card"><b>{{ "{:,}".format(o.articles) }}</b><span>articles</span></div>
  <div class="card"><b>{{ "{:,}".format(o.outlets) }}</b><span>outlets</span></div>
  <div class="card"><b>{{ "{:,}".format(stories_total) }}</b><span>stories</span></div>
  <div class="card"><b>{{ "{:,}".format(o.pairs_with_passages) }}</b><span>article pairs sharing text</span></div>
  <div class="card"><b>{{ "{:,}".format(o.groups) }}</b><span>reuse groups ({{ o.boilerplate_groups }} boilerplate)</span></div>
</div>

<h2>Largest stories</h2>
{% if stories %}
<table>
<tr><th>story</th><th class="num">articles</th><th>outlets</th><th>languages</th><th>time span</th></tr>
{% for s in stories %}
<tr><td>{{ s.label }}</td><td class="num">{{ s.articles }}</td>
<td>{{ s.outlets[:6] | join(", ") }}{% if s.outlets | length > 6 %} and {{ s.outlets | length - 6 }} more{% endif %}</td>
<td>{{ s.languages | join(", ") }}</td>
<td>{{ when(s.first_published) or "?" }} – {{ when(s.last_published) or "?" }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">No stories in this store yet: story clustering has not filled them.</p>
{% endif %}

<h2>Most copied passages</h2>
{% if o.most_copied %}
<table>
<tr><th class="num">group</th><th class="num">articles</th><th>first printed by</th><th>text</th></tr>
{% for p in o.most_copied %}
<tr><td class="num">{{ p.group }}</td><td class="num">{{ p.articles }}</td>
<td>{{ article(o.names[p.earliest]) }}</td>
<td class="excerpt">{{ p.text }}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">No passage is printed in more than one article.</p>
{% endif %}

<h2>Outlets</h2>
{% if outlets %}
<p class="meta">How much of each outlet's text is agency copy, text taken from other outlets
and its own (boilerplate excluded; numbers on hover and in the table).</p>
<figure>{{ shares_svg }}</figure>
<p class="meta">Who takes text from whom: each row took the characters shown on hover from the
outlet of the column (by each article's main source).</p>
<figure>{{ flow_svg }}</figure>
{% endif %}
<table>
<tr><th>outlet</th><th class="num">articles</th><th class="num">agency copy</th>
<th class="num">from other outlets</th><th class="num">own text</th><th>takes most from</th></tr>
{% for r in outlets[:top] %}
<tr><td>{{ r.outlet }}</td><td class="num">{{ "{:,}".format(r.articles) }}</td>
<td class="num">{{ share(r.agency_share) }}</td><td class="num">{{ share(r.reused_share) }}</td>
<td class="num">{{ share(r.original_share) }}</td>
<td>{% for f in r.reused_from[:2] %}{{ f.outlet }} ({{ "{:,}".format(f.chars) }}){% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}
</table>

<h2>Least original articles</h2>
{% if o.least_original %}
<table>
<tr><th>article</th><th class="num">originality</th><th>main source</th></tr>
{% for a in o.least_original %}
<tr><td>{{ article(o.names[a.id]) }}</td><td class="num">{{ share(a.originality) }}</td>
<td>{% if a.main_source %}{{ article(o.names[a.main_source]) }}{% endif %}</td></tr>
{% endfor %}
</table>
{% else %}
<p class="empty">No article statistics yet.</p>
{% endif %}
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value in (0.0, 1.0) else f"{value:.1%}"


def render_report(store: Store, top: int = 10, written: datetime | None = None) -> str:
    """The HTML of ``report.html`` for ``store``: ``top`` lines per list; passage texts are cut
    to 300 characters. ``written`` (default now) is the time printed in the header."""
    from markupsafe import Markup

    from wiretrace.report.outlet_svg import flow_svg, shares_svg
    from wiretrace.report.outlets import outlet_records

    overview = corpus_overview(store, top=top, text_chars=300)
    stories = list_stories(store, limit=top, order="largest")
    outlets = outlet_records(store)
    when = (written or datetime.now(UTC)).isoformat(timespec="minutes")
    return _ENV.from_string(_TEMPLATE).render(
        o=overview,
        stories=stories.items,
        stories_total=stories.total,
        store_name=store.path.rsplit("/", 1)[-1],
        written=when,
        version=__version__,
        share=_share,
        when=readable_time,
        outlets=outlets,
        top=top,
        # Built with every text escaped (outlet_svg), so inserted as markup.
        shares_svg=Markup(shares_svg(outlets)),
        flow_svg=Markup(flow_svg(outlets)),
    )
