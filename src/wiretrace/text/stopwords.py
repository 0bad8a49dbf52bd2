"""Function words of the languages wiretrace meets most, as one case-folded set.

They carry no evidence of reuse (every text has them), so alignment seeds and bag-of-words
similarities ignore them. One merged set is used for all languages on purpose: the lists barely
collide with content words, and a merged set needs no language detection.
"""

from __future__ import annotations

import re

_EN = """a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves s t said says also one two may might must shall
upon us"""

_DE = """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei beim bin bis bist da damit dann das dass dasselbe dazu daß dein deine deinem deinen
deiner dem demselben den denn denselben der derer derselbe derselben des desselben dessen dich die
dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen
einer eines einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem
euren eurer für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr
ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener
jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man manche manchem
manchen mancher manches mein meine meinem meinen meiner mich mir mit muss musste nach nicht nichts
noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie sind so
solche solchem solchen solcher soll sollte sondern sonst um und uns unser unsere unserem unseren
unter viel vom von vor war waren warst was weg weil weiter welche welchem welchen welcher welches
wenn werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar
zwischen sei seien wurde wurden worden habe hätte hätten sowie bereits schon laut"""

_FR = """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu
un une vos votre vous c d j l à m n s y été être avoir est sont était ont a cette comme plus"""

STOPWORDS: frozenset[str] = frozenset((_EN + " " + _DE + " " + _FR).split())

# Words of one language only (a word in two lists, like "die" or "on", tells nothing apart).
_BY_LANGUAGE = {"en": set(_EN.split()), "de": set(_DE.split()), "fr": set(_FR.split())}
_DISTINCTIVE = {
    lang: frozenset(words - set().union(*(w for k, w in _BY_LANGUAGE.items() if k != lang)))
    for lang, words in _BY_LANGUAGE.items()
}
_WORD_RE = re.compile(r"[^\W\d_]+")


def is_stopword(form: str) -> bool:
    """True for a case-folded function word of English, German or French."""
    return form in STOPWORDS


def guess_language(text: str, min_hits: int = 3) -> str | None:
    """``"de"``, ``"en"`` or ``"fr"`` by counting function words only that language has (in the
    first 3,000 characters); None when fewer than ``min_hits`` are found or it is a tie. Cheap
    (no dictionary), and good enough for news text of a few sentences.

        >>> guess_language("Der Stadtrat hat am Montag über den Haushalt beraten, sagte er.")
        'de'
    """
    counts = dict.fromkeys(_DISTINCTIVE, 0)
    for m in _WORD_RE.finditer(text, 0, 3000):
        w = m.group().casefold()
        for lang, words in _DISTINCTIVE.items():
            if w in words:
                counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked[0][1] < min_hits or ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
