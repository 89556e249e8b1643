"""Entity extraction with spaCy, offline: accent folding, a curated gazetteer, an optional model.

This is the only module that imports spaCy. The default pipeline is ``spacy.blank("en")`` plus
two components of ours: `timeline_fold` sets every token's NORM to a case- and accent-folded form
("Nicolás", "NICOLAS" -> "nicolas"; "U.S." -> "US" for curated acronyms), and an entity ruler
matches the curated names on NORM, so patterns and text fold the same way. A capitalised-name
heuristic proposes names the gazetteer does not know. With ``ner="model"`` the statistical
English model proposes those instead; the ruler runs after it and overwrites it, so curated
matches always win.

Extraction only finds spans; deciding which actor a span names (and refusing to guess between
two candidates) is `timeline.link`'s job.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy
import spacy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_TYPE, IDX, LENGTH, NORM, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from timeline.errors import ExtractionError
from timeline.load import frozen_heap
from timeline.models import Actor, Dataset
from timeline.ner import MODELS, NER_MODES, installed_model, resolve_mode
from timeline.progress import Progress

__all__ = ["MODELS", "NER_MODES", "installed_model", "resolve_mode"]  # named here before


MODEL_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
"""Model labels that can name an actor (dates, numbers and nationalities cannot)."""

LABEL_BY_KIND = {
    "person": "PERSON",
    "group": "NORP",
    "country": "GPE",
    "city": "GPE",
    "region": "LOC",
    "facility": "FAC",
    "object": "PRODUCT",
}

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
"""An article is a few thousand words; past 5 MB it is not one."""
CHUNK_CHARS = 100_000
"""spaCy refuses texts over `nlp.max_length`; long articles are read in chunks of this size."""

TITLES = frozenset(
    "president vice-president vice minister secretary senator sen sen. rep rep. representative "
    "governor mayor general gen gen. colonel col col. lieutenant lt lt. captain capt capt. "
    "admiral adm adm. mr mr. mrs mrs. ms ms. dr dr. prof prof. judge justice ambassador "
    "spokesman spokeswoman spokesperson chancellor premier prime king queen prince princess "
    "pope sheikh".split()
)
"""Words of address that precede a name ("President Trump"); folded, so matched on NORM."""

_TITLE_WORDS = frozenset(t.rstrip(".") for t in TITLES)
_FOLD_TABLE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
    }
)
_ACRONYM = re.compile(r"^(?:[A-Z]\.){2,}$|^[A-Z]{2,6}$")


def fold(text: str) -> str:
    """Lowercase and strip accents: 'Nicolás' -> 'nicolas', 'Perdón' -> 'perdon'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _acronym(text: str) -> str | None:
    """'U.S.' -> 'US', 'USA' -> 'USA', anything else -> None."""
    if _ACRONYM.match(text):
        return text.replace(".", "")
    return None


class FoldNorms:
    """Pipeline component: token.norm_ becomes the folded text, curated acronyms stay upper case.

    Keeping curated acronyms in upper case is what stops the pronoun "us" from matching "US".
    """

    def __init__(self, acronyms: Iterable[str]) -> None:
        self.acronyms = frozenset(acronyms)
        self._norm = functools.lru_cache(maxsize=200_000)(self._compute)
        self._hashes: dict[int, int] = {}  # orth -> hash of its norm, in the doc's StringStore

    def _compute(self, text: str) -> str:
        acro = _acronym(text)
        if acro is not None and acro in self.acronyms:
            return acro
        return fold(text)

    def __call__(self, doc: Doc) -> Doc:
        # A norm depends on the text alone, so it is computed once per distinct word and set on
        # the whole doc from an array: per-token Python (token.norm_ = ...) cost 1 ms per event.
        if not len(doc):
            return doc
        unique, where = numpy.unique(doc.to_array(ORTH), return_inverse=True)
        hashes, strings = self._hashes, doc.vocab.strings
        if len(hashes) > 1_000_000:  # a bound, for processes that read text forever
            hashes.clear()
        norms = []
        for orth in unique.tolist():
            h = hashes.get(orth)
            if h is None:
                h = hashes[orth] = strings.add(self._norm(strings[orth]))
            norms.append(h)
        column = numpy.array(norms, dtype=numpy.uint64)[where].reshape(-1, 1)
        doc.from_array([NORM], column)  # type: ignore[arg-type]
        return doc


@Language.factory("timeline_fold", default_config={"acronyms": []})
def _make_fold(nlp: Language, name: str, acronyms: list[str]) -> FoldNorms:
    return FoldNorms(acronyms)


_STOP = frozenset(
    "a an the and or but if of in on at to for from by with as after before during since "
    "while when where who what which this that these those there then than he she it they we "
    "i you his her its their our my your him them us is was were be been are has had have "
    "will would can could may might must shall should do did does not no yes so also "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_DEMONYMS = frozenset(
    "american americans venezuelan venezuelans colombian colombians cuban cubans mexican "
    "mexicans brazilian brazilians russian russians chinese iranian iranians european europeans "
    "african africans asian asians latin british french german germans spanish israeli israelis "
    "palestinian palestinians ukrainian ukrainians canadian canadians arab arabs muslim muslims "
    "christian christians catholic catholics democrat democrats republican republicans "
    "western eastern northern southern ngo ngos ceo".split()
)
"""Words a capitalised-name heuristic would take for names, but that name no one on their own."""
_JOINERS = frozenset({"of", "de", "del", "la", "las", "los", "y", "da", "do"})


class ProperNames:
    """Pipeline component for the gazetteer pipeline: runs of capitalised words become NAME
    entities where nothing curated matched, so unknown people and organisations reach the
    curator without a statistical model. A lone capitalised word that starts a sentence is
    skipped: without a tagger it is more likely "After" than a name."""

    _CAPITAL, _JOINER, _BREAK, _DEMONYM = 1, 2, 4, 8

    def __init__(self) -> None:
        self._flags: dict[tuple[int, int], int] = {}  # (orth, norm) -> the bits above

    def _learn(self, doc: Doc, orth: int, norm: int) -> int:
        """What the heuristic needs to know of one word; it depends on its text and norm only."""
        text, norm_ = doc.vocab.strings[orth], doc.vocab.strings[norm]
        lex = doc.vocab[orth]
        capital = not (text.isupper() and len(text) > 5) and (
            (text[:1].isupper() and lex.is_alpha or _acronym(text) is not None)
            and norm_ not in _STOP
        )
        flags = (
            self._CAPITAL * capital
            | self._JOINER * (norm_ in _JOINERS)
            | self._BREAK * (text in _SENTENCE_ENDS or lex.is_space)
            | self._DEMONYM * (norm_ in _DEMONYMS)
        )
        if len(self._flags) > 1_000_000:
            self._flags.clear()
        self._flags[orth, norm] = flags
        return flags

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        known = self._flags
        rows = doc.to_array([ORTH, NORM]).tolist()
        flags = [
            f if (f := known.get((o, m), -1)) >= 0 else self._learn(doc, o, m) for o, m in rows
        ]
        capital = [bool(f & self._CAPITAL) for f in flags]
        if not any(capital):
            return doc
        # Tokens inside an entity (IOB "I" = 1 or "B" = 3), read as an array: doc.ents makes a
        # Span per entity and a Token per word, which cost more than this whole component.
        taken = [iob == 1 or iob == 3 for iob in doc.to_array(ENT_IOB).tolist()]
        spans: list[Span] = []
        i = 0
        while i < n:
            if taken[i] or not capital[i]:
                i += 1
                continue
            j = i + 1
            while j < n and not taken[j]:
                if capital[j]:
                    j += 1
                elif flags[j] & self._JOINER and j + 1 < n and not taken[j + 1] and capital[j + 1]:
                    j += 2
                elif (  # two joiners: "Fiscalía General de la Nación", "Congreso de la República"
                    flags[j] & self._JOINER
                    and j + 2 < n
                    and flags[j + 1] & self._JOINER
                    and not taken[j + 2]
                    and capital[j + 2]
                ):
                    j += 3
                else:
                    break
            start = i
            sentence_start = start == 0 or bool(flags[start - 1] & self._BREAK)
            lone = j - start == 1
            if not (lone and (sentence_start or flags[start] & self._DEMONYM)):
                spans.append(Span(doc, start, j, label="NAME"))
            i = j
        if spans:
            # The new spans overlap no entity, so the others stay as they are.
            doc.set_ents(spans, default="unmodified")
        return doc


_SENTENCE_ENDS = frozenset({".", "!", "?", ":", "\n", '"', "\u201c"})


@Language.factory("timeline_names")
def _make_names(nlp: Language, name: str) -> ProperNames:
    return ProperNames()


class GazetteerRuler:
    """Pipeline component: spaCy's entity ruler with phrase patterns matched on NORM and
    ``overwrite_ents``, giving the same entities in the same order.

    spaCy's `EntityRuler` counts all its patterns on every doc (a check that it has some), which
    with a thousand patterns was most of its time: 1.3 s of 6.4 s per 10k events.
    """

    SEP = "||"  # spaCy's ent_id_sep: match ids are the same hashes as the entity ruler's

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self._ent_ids: dict[int, tuple[str, str]] = {}  # match id -> (label, gazetteer key)

    def add_patterns(self, nlp: Language, patterns: Iterable[tuple[str, str, str]]) -> None:
        """Add (label, text, key) phrase patterns; `nlp` folds their texts."""
        patterns = list(patterns)
        for (label, _, key), doc in zip(patterns, nlp.pipe(t for _, t, _ in patterns), strict=True):
            name = f"{label}{self.SEP}{key}"
            self._ent_ids[nlp.vocab.strings.add(name)] = (label, key)
            self.matcher.add(name, [doc])

    def __call__(self, doc: Doc) -> Doc:
        found = {(m, s, e) for m, s, e in self.matcher(doc) if s != e}
        if not found:
            return doc
        # Longest first, then leftmost; a match overlapping one already taken is dropped, and
        # any other entity it overlaps (the model's) is removed: the ruler's own rules.
        matches = sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
        entities = list(doc.ents)
        new: list[Span] = []
        seen: set[int] = set()
        for match_id, start, end in matches:
            if start in seen or end - 1 in seen:
                continue
            label, key = self._ent_ids[match_id]
            new.append(Span(doc, start, end, label=label, span_id=key))
            if entities:
                entities = [e for e in entities if not (e.start < end and e.end > start)]
            seen.update(range(start, end))
        doc.set_ents(entities + new)  # what `doc.ents = ...` does, without copying the spans
        return doc


@Language.factory("timeline_gazetteer")
def _make_gazetteer(nlp: Language, name: str) -> GazetteerRuler:
    return GazetteerRuler(nlp)


class WarmTokenizer:
    """spaCy's tokenizer, with its cache of space-separated chunks actually filled.

    The tokenizer caches how it split each chunk, but stops saving for the rest of a text as soon
    as one special case ("Mr.", "'s") occurred in it, so in news text most chunks were split
    again every time (3 s of 5.6 s per 10k events). Each chunk not seen before is tokenized once
    on its own, which saves it in that same cache when it holds no special case; the tokens are
    those the tokenizer gives (a cached chunk is split as the tokenizer would split it).
    """

    MAX_CHUNKS = 500_000  # distinct chunks cached and remembered; beyond, spaCy's own behaviour

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, self.MAX_CHUNKS)
        self._seen: set[str] = set()

    def __call__(self, text: str) -> Doc:
        seen = self._seen
        if len(seen) < self.MAX_CHUNKS:
            new = set(text.split()).difference(seen)
            if new:
                tokenize = self.tokenizer
                for chunk in new:
                    tokenize(chunk)
                seen.update(new)
        return self.tokenizer(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)


# --- the gazetteer ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Curated names, keyed by folded form, each with the actors it may name.

    `keys` maps a key (``n:`` + folded name) to candidate actor ids: one for a name or alias,
    several when a surname derived from person names is shared ("Rodriguez").
    """

    patterns: tuple[tuple[str, str, str], ...]  # (label, text, key)
    keys: dict[str, tuple[str, ...]]
    methods: dict[str, str]  # key -> "gazetteer" | "surname"
    acronyms: frozenset[str]

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """Key -> actor, for the keys that name one actor only."""
        return {key: ids[0] for key, ids in self.keys.items() if len(ids) == 1}

    # Two gazetteers with the same patterns and acronyms build the same pipeline (the cache key).
    def __hash__(self) -> int:
        return hash((self.patterns, self.acronyms))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Gazetteer) and (other.patterns, other.acronyms) == (
            self.patterns,
            self.acronyms,
        )

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Gazetteer:
        """Patterns for every actor name and alias, plus surnames derived from person names."""
        return cls.from_actors(dataset.actors)

    @classmethod
    def from_actors(cls, actors: Iterable[Actor]) -> Gazetteer:
        """See `from_dataset`."""
        actors = list(actors)
        by_form: dict[str, dict[str, str]] = defaultdict(dict)  # folded -> {actor: spelling}
        labels: dict[str, str] = {}
        for a in actors:
            labels[a.id] = LABEL_BY_KIND.get(a.kind, "ORG")
            for name in a.names:
                by_form[_key(name)].setdefault(a.id, name)
        surnames: dict[str, dict[str, str]] = defaultdict(dict)
        for a in actors:
            if a.kind != "person":
                continue
            for name in a.names:
                for s in surname_forms(name):
                    if _key(s) not in by_form:
                        surnames[_key(s)].setdefault(a.id, s)
        patterns: set[tuple[str, str, str]] = set()
        keys: dict[str, tuple[str, ...]] = {}
        methods: dict[str, str] = {}
        for table, method in ((by_form, "gazetteer"), (surnames, "surname")):
            for key, spellings in table.items():
                ids = tuple(sorted(spellings))
                keys[key] = ids
                methods[key] = method
                for spelling in spellings.values():
                    patterns.add((labels[ids[0]], spelling, key))
        acronyms = frozenset(
            acro
            for _, text, _ in patterns
            for word in text.split()
            if (acro := _acronym(word.strip(",;:()"))) is not None
        )
        return cls(tuple(sorted(patterns)), keys, methods, acronyms)


def actors_named_in(actors: Iterable[Actor], texts: Iterable[str]) -> list[Actor]:
    """The actors whose names the texts may hold, in order: a gazetteer of just these finds in
    those texts what one of every actor finds. The gazetteer matches a name, or a person's
    surname, token by token on folded forms, so every word of it (a run of letters and digits,
    folded as the gazetteer folds, with or without its full stops for acronyms) is then a word
    of the text; an actor none of whose names or surnames has all its words in the texts
    cannot match. A rebuild extracts a few edited events this way, without the thousands
    of patterns of a large dataset."""

    def words(text: str, stops: bool) -> set[str]:
        # ASCII letters and digits fold to their lower case (most names: no call to `fold`)
        folded = text.lower() if text.isascii() and text.isprintable() else fold(text)
        return set(re.findall(r"\w+", folded if stops else folded.replace(".", "")))

    present: set[str] = set()
    for text in texts:
        present |= words(text, True) | words(text, False)

    def named(name: str) -> bool:
        return words(name, True) <= present or words(name, False) <= present

    return [
        a
        for a in actors
        if any(
            named(n) or (a.kind == "person" and any(map(named, surname_forms(n)))) for n in a.names
        )
    ]


def gazetteer_for(
    actors: Iterable[Actor], texts: Iterable[str], acronyms: frozenset[str]
) -> Gazetteer:
    """The gazetteer of the actors the texts may name (`actors_named_in`), folding acronyms
    as the gazetteer of every actor does (`acronyms`, its own): on those texts it finds what
    that one finds. An acronym keeps its case, and so its meaning, in every token it folds:
    "US" names no actor of "US Treasury" alone, but stays a name rather than the pronoun."""
    import dataclasses

    texts = list(texts)
    return dataclasses.replace(
        Gazetteer.from_actors(actors_named_in(actors, texts)), acronyms=acronyms
    )


def _key(name: str) -> str:
    # Spacing and punctuation do not matter to the key; the ruler decides what matches.
    words = (_acronym(w) or w for w in name.split())
    return "n:" + " ".join(re.findall(r"\w+", " ".join(fold(w) for w in words)))


def surname_forms(name: str) -> list[str]:
    """Surnames a person may be called by: 'Delcy Rodríguez' -> ['Rodríguez'].

    Only names written as two to four capitalised words count (not "wife of Nicolás Maduro");
    leading titles are dropped; a three-word name also gives its middle word, the first of two
    Spanish surnames ("Nicolás Maduro Moros" -> ['Moros', 'Maduro', 'Maduro Moros']).
    """
    words = name.split()
    while words and fold(words[0]).rstrip(".") in _TITLE_WORDS:
        words = words[1:]
    if not 2 <= len(words) <= 4:
        return []
    if not all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words):
        return []
    forms = [words[-1]]
    if len(words) == 3:
        forms += [words[1], f"{words[1]} {words[2]}"]
    return forms


# --- pipelines ----------------------------------------------------------------------------


@dataclass
class Extractor:
    """A built spaCy pipeline with its gazetteer; build it once with `get_extractor`."""

    nlp: Language
    gazetteer: Gazetteer
    mode: str
    name: str

    def docs(
        self, items: Iterable[tuple[str, Any]], batch_size: int = 256
    ) -> Iterator[tuple[Doc, Any]]:
        """nlp.pipe over (text, context) pairs."""
        return self.nlp.pipe(items, as_tuples=True, batch_size=batch_size)

    @functools.cached_property
    def curated(self) -> dict[int, tuple[str, str]]:
        """ENT_ID of a curated match -> (gazetteer key, method): the ruler's span ids are keys."""
        strings = self.nlp.vocab.strings
        return {strings.add(key): (key, method) for key, method in self.gazetteer.methods.items()}


@functools.lru_cache(maxsize=4)
def _cached(mode: str, gazetteer: Gazetteer, lang: str = "en", names: bool = False) -> Extractor:
    if mode == "model":
        model = installed_model()
        assert model is not None
        # Only the NER is needed; the tagger, parser and lemmatizer would halve the speed.
        nlp = spacy.load(
            model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
        )
        name = f"spacy-{spacy.__version__}/{model}-{nlp.meta.get('version', '?')}+gazetteer"
    else:
        try:
            nlp = spacy.blank(lang)
        except ImportError:
            raise ExtractionError(f"spaCy has no language '{lang}'; use en or es") from None
        name = f"spacy-{spacy.__version__}/blank-{lang}+gazetteer"
    nlp.tokenizer = WarmTokenizer(nlp.tokenizer)
    nlp.add_pipe("timeline_fold", config={"acronyms": sorted(gazetteer.acronyms)})
    # Named "entity_ruler": it does what spaCy's does, with the options we used, only faster.
    ruler = nlp.add_pipe("timeline_gazetteer", name="entity_ruler")
    # Pattern texts are folded by the fold pipe alone, which is how patterns and text agree;
    # the model pipes would only slow that down (10x).
    with nlp.select_pipes(enable=["timeline_fold"]):
        ruler.add_patterns(nlp, gazetteer.patterns)  # type: ignore[attr-defined]
    if mode == "gazetteer" or names:
        nlp.add_pipe("timeline_names")
        if mode == "model":
            name += "+names"
    return Extractor(nlp=nlp, gazetteer=gazetteer, mode=mode, name=name)


def get_extractor(
    gazetteer: Gazetteer, ner: str = "gazetteer", lang: str = "en", names: bool = False
) -> Extractor:
    """The pipeline for `ner` ('auto', 'gazetteer' or 'model'), built once per process; `lang`
    is the blank pipeline's language (the model reads English only). `names`: with the model
    too, runs of capitalised words it did not tag become NAME spans (a draft's new names; a
    build keeps the model's entities alone)."""
    return _cached(resolve_mode(ner), gazetteer, lang, names)


# --- extraction -------------------------------------------------------------------------------


class Found(NamedTuple):
    """A span of a text that may name an actor: `key` is a gazetteer key, or None if unknown.

    A tuple: a million of them are made at 100k events, and the worker processes send them back.
    """

    context: Any
    start: int
    end: int
    text: str
    label: str
    key: str | None
    method: str  # gazetteer | surname | model | name


Row = tuple[Any, int, int, str, str, str | None, str]
"""A `Found`'s fields as a plain tuple: what extraction makes, linking reads and workers send."""


def _trim(span: Span) -> Span | None:
    """Drop leading titles and articles and a trailing possessive from a proposed name."""
    doc, start, end = span.doc, span.start, span.end
    while start < end and (
        doc[start].norm_.rstrip(".") in _TITLE_WORDS or doc[start].norm_ == "the"
    ):
        start += 1
        # "Secretary of State Marco Rubio": the office after a title belongs to the title.
        if start + 1 < end and doc[start].norm_ in _JOINERS:
            start += 2
    while end > start and span.doc[end - 1].norm_ in {"'s", "'", "s"}:
        end -= 1
    if start >= end:
        return None
    return span.doc[start:end]


_TABLE = [ENT_IOB, ENT_TYPE, ENT_ID, IDX, LENGTH]


def _rows(
    docs: list[Doc], items: list[tuple[Any, str]], extractor: Extractor, offset: int = 0
) -> list[list[Row]]:
    """The spans of each doc made from `items` (context, text), as rows, in order.

    The entities of all the docs are read from one array, the way `Doc.ents` reads them: an
    entity starts at a "B" token with a label (IOB 3) and runs to the next token that is not "I"
    (IOB 1) or to the end of its doc. Per-doc arrays, or a Span per entity, cost more than
    spaCy's whole gazetteer pipeline.
    """
    out: list[list[Row]] = [[] for _ in docs]
    tables = [doc.to_array(_TABLE) for doc in docs]
    sizes = numpy.array([len(t) for t in tables])
    if not sizes.any():
        return out
    table = numpy.concatenate(tables)
    firsts = numpy.cumsum(sizes) - sizes  # each doc's first token in `table`
    iob, typ = table[:, 0], table[:, 1]
    starts = numpy.flatnonzero((iob == 3) & (typ != 0))
    if not len(starts):
        return out
    bounds = iob != 1
    bounds[firsts[sizes > 0]] = True
    stops = numpy.flatnonzero(bounds)
    ends = numpy.append(stops, len(iob))[numpy.searchsorted(stops, starts, side="right")]
    # An empty doc has the same first token as the next one: side="right" picks the next one.
    which = numpy.searchsorted(firsts, starts, side="right") - 1
    last = ends - 1
    char_starts = table[starts, 3]
    char_ends = table[last, 3] + table[last, 4]
    curated, strings = extractor.curated, extractor.nlp.vocab.strings
    labels: dict[int, str] = {}
    for d, start, end, label_id, ent_id, s, e in zip(
        which.tolist(),
        starts.tolist(),
        ends.tolist(),
        typ[starts].tolist(),
        table[starts, 2].tolist(),
        char_starts.tolist(),
        char_ends.tolist(),
        strict=True,
    ):
        label = labels.get(label_id)
        if label is None:
            label = labels[label_id] = strings[label_id]
        ctx, text = items[d]
        known = curated.get(ent_id)
        if known is not None:
            key, method = known
            out[d].append((ctx, offset + s, offset + e, text[s:e], label, key, method))
            continue
        if label not in MODEL_LABELS and label != "NAME":
            continue
        first = int(firsts[d])
        trimmed = _trim(Span(docs[d], start - first, end - first, label=label))
        if trimmed is None:
            continue
        out[d].append(
            (
                ctx,
                offset + trimmed.start_char,
                offset + trimmed.end_char,
                trimmed.text,
                label,
                None,
                "name" if label == "NAME" else "model",
            )
        )
    return out


def spans(
    doc: Doc, context: Any, extractor: Extractor, offset: int = 0, text: str | None = None
) -> Iterator[Found]:
    """Every candidate span of one processed doc; `text`, if given, is the doc's text."""
    # doc.text joins a Token object per word: give the text the doc was made from when known.
    for row in _rows([doc], [(context, doc.text if text is None else text)], extractor, offset)[0]:
        yield Found._make(row)


def extract_rows(
    items: Iterable[tuple[Any, str]],
    extractor: Extractor,
    batch_size: int = 256,
    jobs: int = 1,
    progress: Progress | None = None,
    ordered: bool = True,
) -> Iterator[tuple[Any, list[Row]]]:
    """(context, rows) for each of `items` (context, text) that has spans, in order; each row
    is a `Found` as a plain tuple. `extract` is the same, one `Found` at a time.

    With `jobs` > 1 the texts are read by that many processes (see `auto_jobs`); with
    `ordered=False` the texts read by each process come as soon as they are read, in runs.
    """
    if jobs > 1:
        chunks = _extract_parallel(list(items), extractor, batch_size, jobs, progress)
        if not ordered:
            for _, _, found in chunks:
                yield from found
            return
        ready: dict[int, tuple[int, list[tuple[Any, list[Row]]]]] = {}
        at = 0  # the first item not given yet
        for start, stop, found in chunks:
            ready[start] = stop, found
            while at in ready:
                at, found = ready.pop(at)
                yield from found
        return
    total = f"/{len(items):,}" if isinstance(items, Sized) else ""
    queued: deque[tuple[Any, str]] = deque()  # read by nlp.pipe, not yet made into docs

    def texts() -> Iterator[str]:
        for n, item in enumerate(items, 1):
            if progress is not None and n % 2_000 == 0:
                progress(f"extract and link ({extractor.name}): {n:,}{total} events")
            queued.append(item)
            yield item[1]

    docs: list[Doc] = []
    batch: list[tuple[Any, str]] = []
    for doc in extractor.nlp.pipe(texts(), batch_size=batch_size):
        docs.append(doc)
        batch.append(queued.popleft())
        if len(docs) == batch_size:
            yield from _with_rows(batch, _rows(docs, batch, extractor))
            docs, batch = [], []
    if docs:
        yield from _with_rows(batch, _rows(docs, batch, extractor))


def _with_rows(
    items: list[tuple[Any, str]], rows: list[list[Row]]
) -> Iterator[tuple[Any, list[Row]]]:
    for (ctx, _), found in zip(items, rows, strict=True):
        if found:
            yield ctx, found


def extract(
    items: Iterable[tuple[Any, str]],
    extractor: Extractor,
    batch_size: int = 256,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Iterator[Found]:
    """Spans of many texts: `items` are (context, text) pairs; offsets are into each text.

    With `jobs` > 1 the texts are read by that many processes, in order (see `auto_jobs`).
    """
    for _, rows in extract_rows(items, extractor, batch_size, jobs, progress):
        for row in rows:
            yield Found._make(row)


PARALLEL_MIN_WORDS = 500_000
"""From this many words on, a second process pays even on a busy machine. Measured on 2 cores
with one kept busy by another program (bench/bench_extract.py's data, wall time of
`link_dataset`, jobs 1 -> 2): 144k words 0.49 -> 0.62 s, 216k 0.74 -> 0.86 s, 716k 2.74 ->
2.75 s, 7.3M 30 -> 23 s. With the second core idle the crossover is near 100k words (the two
processes' CPU times were then 0.36 and 0.28 s, against 0.49 s for one); a busy machine is the
common case for big builds, so the threshold is the busy crossover."""


def auto_jobs(words: int, jobs: int | None = None) -> int:
    """How many processes to extract with: `jobs` if given, else 2 when the input is large
    enough to pay for the second process (`PARALLEL_MIN_WORDS`), there are 2 cores and the
    memory for a worker (`workers.room_for_a_worker`).

    The machine's load is not asked: a load average measures the past, and a build that ran
    in one process because a benchmark happened to be running was slower all the same.
    """
    import os

    if jobs is not None:
        return max(1, jobs)
    if words < PARALLEL_MIN_WORDS or (os.cpu_count() or 1) < 2 or not _can_fork():
        return 1
    from timeline.workers import room_for_a_worker

    return 2 if room_for_a_worker() else 1  # a worker copies the pages it touches


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


_FORKED: tuple[Extractor, list[tuple[Any, str]]] | None = None  # what a forked worker inherits


def _extract_part(start: int, stop: int, batch_size: int) -> list[tuple[Any, list[Row]]]:
    assert _FORKED is not None
    extractor, items = _FORKED
    return list(extract_rows(items[start:stop], extractor, batch_size))


def _extract_parallel(
    items: list[tuple[Any, str]],
    extractor: Extractor,
    batch_size: int,
    jobs: int,
    progress: Progress | None,
) -> Iterator[tuple[int, int, list[tuple[Any, list[Row]]]]]:
    """(start, stop, what `extract_rows` gives for items[start:stop]) for runs of items, in no
    particular order, read by this process and `jobs` - 1 forked ones.

    Workers forked from this process inherit the built pipeline and the texts (no pickling of
    spaCy, no second start-up) and send back only rows, not spaCy's docs: spaCy's own
    `n_process` pickles every doc back, which made two processes slower than one. The texts
    are cut into runs: this process reads them from the first on and the workers from the last
    back, so they meet wherever their speeds (and the machine's other work) take them. Runs the
    workers finished are given as soon as this process is between two runs, so that the
    caller (linking) works on them while the workers still read.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from timeline.workers import ignore_interrupts

    global _FORKED
    if not _can_fork() or len(items) < 2:
        yield 0, len(items), list(extract_rows(items, extractor, batch_size, progress=progress))
        return
    size = max(1, min(1_000, len(items) // (8 * jobs)))
    bounds = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    total = f"/{len(items):,}"
    _FORKED = extractor, items
    try:
        with ProcessPoolExecutor(
            jobs - 1, mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts
        ) as pool:
            # Forked from a frozen heap, the workers' collections do not walk (so copy, page
            # by page) the heap they share with this process.
            with frozen_heap():
                # Submitted last run first: the workers start on them in that order.
                futures = [
                    pool.submit(_extract_part, start, stop, batch_size)
                    for start, stop in reversed(bounds)
                ][::-1]
            front, back = 0, len(bounds) - 1
            try:
                while front <= back:
                    if futures[back].done():
                        yield *bounds[back], futures[back].result()
                        back -= 1
                    elif futures[front].cancel():  # not started: this process reads it
                        start, stop = bounds[front]
                        yield (
                            start,
                            stop,
                            list(extract_rows(items[start:stop], extractor, batch_size)),
                        )
                        front += 1
                        if progress is not None and stop // 2_000 > start // 2_000:
                            progress(f"extract and link ({extractor.name}): {stop:,}{total} events")
                    else:  # the workers have all that is left
                        break
                if progress is not None:
                    progress(
                        f"extract and link ({extractor.name}): waiting for "
                        f"{jobs - 1} more process{'es' if jobs > 2 else ''}"
                    )
                for k in range(back, front - 1, -1):
                    yield *bounds[k], futures[k].result()
            finally:  # stopped early (an error, Ctrl-C): do not read the runs left
                for future in futures:
                    future.cancel()
    finally:
        _FORKED = None


# --- articles -----------------------------------------------------------------------------


def read_article(path: str | Path) -> str:
    """Read a UTF-8 text file (or ``-`` for stdin), refusing binary, non-UTF-8 and empty input."""
    import sys

    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
        else:
            with Path(path).open("rb") as fh:
                data = fh.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError:
        raise ExtractionError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ExtractionError(f"{name}: is a folder, not a file") from None
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise ExtractionError(
            f"{name}: larger than {MAX_ARTICLE_BYTES // 2**20} MB; an article is a few thousand "
            "words: split it, or give the article's own text"
        )
    if b"\x00" in data:
        raise ExtractionError(
            f"{name}: looks like a binary file (it contains NUL bytes); give a plain-text article"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExtractionError(
            f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it, e.g. iconv -f latin1 -t utf-8 {name} > article.txt"
        ) from None
    if not text.strip():
        raise ExtractionError(f"{name}: the article is empty; nothing to extract")
    return text


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most `size` characters, cut at paragraph, line or space."""
    pos = 0
    while pos < len(text):
        end = min(pos + size, len(text))
        if end < len(text):
            window = text[pos:end]
            for sep in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(sep)
                if cut > size // 4:
                    end = pos + cut + len(sep)
                    break
        yield pos, text[pos:end]
        pos = end


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, with its offsets and the spans found in it."""

    start: int
    end: int
    text: str
    found: tuple[Found, ...]


def article_sentences(text: str, extractor: Extractor) -> Iterator[Sentence]:
    """Split an article into sentences and extract spans; offsets are into the article."""
    from spacy.pipeline import Sentencizer

    split = Sentencizer()
    pieces = list(chunks(text))
    for doc, (offset, piece) in extractor.docs(
        ((piece, (off, piece)) for off, piece in pieces), batch_size=32
    ):
        doc = split(doc)
        found = list(spans(doc, None, extractor, offset, piece))
        for sent in doc.sents:
            stripped = sent.text.strip()
            if not stripped:
                continue
            s = offset + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            e = s + len(stripped)
            yield Sentence(s, e, stripped, tuple(f for f in found if s <= f.start < e))
