"""``wiretrace watch``: poll news feeds into a store and analyse what is new.

The package is the library behind the command (``cli.py`` only parses arguments and prints):

* :mod:`wiretrace.watch.http`: polite HTTP GET (User-Agent, robots.txt, a delay per host,
  timeouts, a size cap) with conditional GET (``ETag`` / ``Last-Modified``);
* :mod:`wiretrace.watch.feeds`: OPML lists of feeds, a fetched feed -> articles with ids that
  stay the same from poll to poll, a fetched page's text onto its feed entry;
* :mod:`wiretrace.watch.state`: the per-feed state file ``STORE.watch.json`` beside the store
  (validators and the last outcome), written atomically;
* :mod:`wiretrace.watch.poll`: one poll (fetch, keep the entries not yet stored, run
  :func:`wiretrace.pipeline.analyze` on them, save the state) and the loop of polls, with an
  injectable clock and sleep.

Nothing here writes the store except through :func:`wiretrace.pipeline.analyze`.
"""

from __future__ import annotations

from wiretrace.watch.http import USER_AGENT, Fetcher, FetchError
from wiretrace.watch.poll import FeedResult, PollReport, Watcher, parse_interval, run_polls

__all__ = [
    "USER_AGENT",
    "FeedResult",
    "FetchError",
    "Fetcher",
    "PollReport",
    "Watcher",
    "parse_interval",
    "run_polls",
]
