"""Curated English ↔ French equivalents of the names and words news questions use.

Data, not code: ``equivalents.txt`` beside this module, one line per concept, ``english forms ;
french forms`` (forms separated by commas). A question word (or phrase) found on one side is
also searched as every form of the line, at a lower weight than the user's own words
(``retrieval.expand``). Country, language and city names come from CLDR through babel and need
no line here; this table holds what CLDR does not: leaders and officials whose names are spelt
differently, institutions' acronyms, demonyms and cities CLDR lacks, and the frequent words of
wire news.

Keep lines short and unambiguous: a form should mean the same thing in every news story (``talks``
yes; ``party`` no). ``tests/retrieval/test_expand.py`` checks the table's shape and some lines
end to end.
"""

from importlib import resources

NEWS_EQUIVALENTS = (resources.files("retrieval") / "equivalents.txt").read_text(encoding="utf-8")
