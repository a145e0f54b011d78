"""Rewrites that multiply the written statements into more training pairs.

- Contradictions from true statements: a negation added or removed ("is" -> "is not", "cannot" ->
  "can"), or one antonym or role term swapped ("increases" -> "decreases", "training" -> "test",
  "bias" -> "variance"). These are the hard negatives the issue names: same words, opposite claim.
- Longer spans: a labelled statement followed or preceded by a neutral one from the same question
  keeps its label (an answer span says more than the key point), so the judge does not learn that
  only short spans can entail.

Rewrites are noisier than written statements, so their pairs carry half weight.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from training.pairs import KeyPointStatements, Pair

REWRITE_WEIGHT = 0.5
MAX_CONTRADICTIONS_PER_KEY_POINT = 3

_NEGATION_REMOVALS = (
    (r"\bis not\b", "is"),
    (r"\bare not\b", "are"),
    (r"\bwas not\b", "was"),
    (r"\bwere not\b", "were"),
    (r"\bdoes not\b", "does"),
    (r"\bdo not\b", "do"),
    (r"\bdid not\b", "did"),
    (r"\bcannot\b", "can"),
    (r"\bcan not\b", "can"),
    (r"\bwill not\b", "will"),
    (r"\bshould not\b", "should"),
    (r"\bisn't\b", "is"),
    (r"\baren't\b", "are"),
    (r"\bdoesn't\b", "does"),
    (r"\bdon't\b", "do"),
    (r"\bcan't\b", "can"),
    (r"\bwon't\b", "will"),
    (r"\bnever\b", "always"),
    (r"\bno longer\b", "still"),
)
_NEGATION_INSERTS = (
    (r"\bis\b", "is not"),
    (r"\bare\b", "are not"),
    (r"\bcan\b", "cannot"),
    (r"\bwill\b", "will not"),
    (r"\bshould\b", "should not"),
    (r"\bdoes\b", "does not"),
    (r"\bwas\b", "was not"),
    (r"\bwere\b", "were not"),
    (r"\balways\b", "never"),
    (r"\bmust\b", "need not"),
)
ANTONYMS = (
    ("increase", "decrease"),
    ("increases", "decreases"),
    ("increasing", "decreasing"),
    ("increased", "decreased"),
    ("higher", "lower"),
    ("high", "low"),
    ("more", "fewer"),
    ("larger", "smaller"),
    ("large", "small"),
    ("bigger", "smaller"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("before", "after"),
    ("above", "below"),
    ("maximum", "minimum"),
    ("maximize", "minimize"),
    ("maximizes", "minimizes"),
    ("maximises", "minimises"),
    ("positive", "negative"),
    ("linear", "non-linear"),
    ("convex", "non-convex"),
    ("always", "never"),
    ("first", "last"),
    ("earlier", "later"),
    ("overfitting", "underfitting"),
    ("overfit", "underfit"),
    ("forward", "backward"),
    ("supervised", "unsupervised"),
    ("independent", "dependent"),
    ("sparse", "dense"),
    ("shallow", "deep"),
    ("wider", "narrower"),
    ("stable", "unstable"),
    ("parallel", "sequential"),
    ("cheap", "expensive"),
    ("cheaper", "costlier"),
    ("shrinks", "grows"),
    ("shrink", "grow"),
    ("vanish", "explode"),
    ("vanishing", "exploding"),
    ("l1", "l2"),
    ("correct", "incorrect"),
    ("same", "different"),
    ("rarely", "often"),
    ("reduces", "raises"),
    ("reduce", "raise"),
    ("improves", "hurts"),
    ("helps", "hurts"),
    ("less", "more"),
    ("add", "remove"),
    ("adds", "removes"),
    ("fixed", "learned"),
    ("global", "local"),
    ("upper", "lower"),
    ("lossless", "lossy"),
    ("synchronous", "asynchronous"),
    ("odd", "even"),
    ("inner", "outer"),
)
ROLES = frozenset(
    {
        frozenset(pair)
        for pair in (
            ("training", "test"),
            ("train", "test"),
            ("bias", "variance"),
            ("precision", "recall"),
            ("input", "output"),
            ("inputs", "outputs"),
            ("encoder", "decoder"),
            ("rows", "columns"),
            ("minority", "majority"),
            ("false positives", "false negatives"),
            ("numerator", "denominator"),
            ("query", "key"),
            ("generator", "discriminator"),
            ("parent", "child"),
            ("client", "server"),
            ("sender", "receiver"),
        )
    }
)
"""Terms that name roles, not directions: swapped only when both occur ("reduces variance, raises bias")."""
ANTONYMS = ANTONYMS + tuple(tuple(pair) for pair in sorted(map(sorted, ROLES)))
_SWAP = {}
for _left, _right in ANTONYMS:
    _SWAP.setdefault(_left, _right)
    _SWAP.setdefault(_right, _left)


def _trie_alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, written as a trie ("high(?:er)?"): Python's `re` tries
    the branches of a flat alternation one by one at every position, which was most of building the pairs."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer words are tried first, then this one
            return ("(?:" + joined + ")" if len(branches) == 1 and len(joined) > 1 else joined) + "?"
        return joined

    return render(trie)


_SWAP_PATTERN = re.compile(r"\b(" + _trie_alternation(_SWAP) + r")\b", re.IGNORECASE)
_CONJOINED = re.compile(r"\b(\w+)(?:\s+(?:and|or|vs\.?|versus|&)\s+|\s*[-/]\s*)(\w+)\b", re.IGNORECASE)


def _match_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# Compiled once (the pairs call these rewrites about 10,000 times); removing a negation comes first.
_NEGATION_REWRITES = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (*_NEGATION_REMOVALS, *_NEGATION_INSERTS)
)


def flip_negation(text: str) -> str | None:
    """The statement with its first negation removed, or a negation added to its first auxiliary verb."""
    for pattern, replacement in _NEGATION_REWRITES:
        match = pattern.search(text)
        if match:
            return text[: match.start()] + _match_case(match.group(0), replacement) + text[match.end() :]
    return None


def _symmetric_pairs(text: str) -> set[frozenset[str]]:
    """Term pairs joined by and/or ("bias and variance"): swapping those changes nothing."""
    return {frozenset((left.lower(), right.lower())) for left, right in _CONJOINED.findall(text)}


def swap_terms(text: str, rng: random.Random) -> str | None:
    """Swap one antonym or role term (both sides of a pair when both occur), unless the pair is conjoined."""
    found = list(_SWAP_PATTERN.finditer(text))
    if not found:
        return None
    symmetric = _symmetric_pairs(text)
    present = {match.group(0).lower() for match in found}

    def swappable(term: str) -> bool:
        pair = frozenset((term, _SWAP[term]))
        if pair in symmetric:
            return False
        return pair not in ROLES or _SWAP[term] in present

    candidates = [match for match in found if swappable(match.group(0).lower())]
    if not candidates:
        return None
    chosen = rng.choice(candidates).group(0).lower()
    partner = _SWAP[chosen]

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() == chosen:
            return _match_case(word, partner)
        if word.lower() == partner:
            return _match_case(word, chosen)
        return word

    swapped = _SWAP_PATTERN.sub(replace, text)
    return swapped if swapped.casefold() != text.casefold() else None


def contradictions_of(texts: Sequence[str], rng: random.Random) -> list[str]:
    """Up to MAX_CONTRADICTIONS_PER_KEY_POINT rewrites of true statements that contradict them."""
    rewrites: list[str] = []
    for text in texts:
        for rewrite in (flip_negation(text), swap_terms(text, rng)):
            if rewrite and rewrite not in rewrites:
                rewrites.append(rewrite)
    rng.shuffle(rewrites)
    return rewrites[:MAX_CONTRADICTIONS_PER_KEY_POINT]


def _join(first: str, second: str) -> str:
    first = first.strip()
    if first and first[-1] not in ".!?":
        first += "."
    return f"{first} {second.strip()}"


def augmented_pairs(statements: Sequence[KeyPointStatements], rng: random.Random) -> Iterator[Pair]:
    """Rewritten contradictions and longer spans for every written key point."""
    from training.pairs import CONTRADICTED, ENTAILED, Pair, with_siblings

    for item, siblings in with_siblings(statements):
        sources = [item.key_point, *item.entailed[:2]]
        for rewrite in contradictions_of(sources, rng):
            yield Pair(item.group, item.key_point, rewrite, CONTRADICTED, REWRITE_WEIGHT, "rewrite:contradiction")
        others = [text for other in siblings for text in other.entailed]
        if not others:
            continue
        for label, pool in ((ENTAILED, item.entailed), (CONTRADICTED, item.contradicted)):
            if not pool:
                continue
            statement, extra = rng.choice(pool), rng.choice(others)
            span = _join(statement, extra) if rng.random() < 0.5 else _join(extra, statement)
            yield Pair(item.group, item.key_point, span, label, REWRITE_WEIGHT, "rewrite:longer-span")


# Openings a speaker puts before a statement without changing what it claims.
FILLERS = (
    "Basically, ",
    "In short, ",
    "I'd say ",
    "As far as I know, ",
    "The key thing is that ",
    "Also, ",
    "Put simply, ",
    "In practice, ",
)


def with_filler(text: str, rng: random.Random) -> str:
    """`text` behind a filler opening ("Basically, ..."), first letter lowered unless it starts a name or acronym."""
    filler = rng.choice(FILLERS)
    first = text.split(" ", 1)[0]
    lowered = text[:1].lower() + text[1:] if first[:1].isupper() and first[1:].islower() else text
    return filler + lowered


def own_words_pairs(key_points: Sequence[tuple[str, str]], rng: random.Random) -> Iterator[Pair]:
    """A key point against statements *in its own words*: itself and itself behind a filler opening (entailed),
    and its own negation and term swap (contradicted), so the judge must read the one word that differs. The
    rewrites above make every near-copy of a key point a contradiction; without the entailed copies a judge
    learns that sharing the key point's words means contradicting it (measured on the first judge: a key point
    read against itself got entailed 0.09 and, when it contains "not", contradicted >= 0.35 one time in two).
    `key_points` are (group, text) pairs."""
    from training.pairs import CONTRADICTED, ENTAILED, Pair

    for group, text in key_points:
        yield Pair(group, text, text, ENTAILED, 1.0, "own-words:identity")
        yield Pair(group, text, with_filler(text, rng), ENTAILED, 1.0, "own-words:filler")
        for rewrite in (flip_negation(text), swap_terms(text, rng)):
            if rewrite:
                yield Pair(group, text, rewrite, CONTRADICTED, 1.0, "own-words:contrast")
