"""Gaps grouped into themes by meaning, each with a readable label in the questions' own language.

Two questions are alike by a mix of meaning and wording: `meaning_weight` × the cosine of their
embeddings (the assistant's own model, English-only) plus the rest × the cosine of their character
3-5-gram TF-IDF vectors (which carry Italian and other languages the model reads poorly). Average-linkage
agglomerative clustering (scikit-learn) puts a question in a theme when its distance to the theme's
questions is, on average, below `distance_threshold`. Labels are the terms that set a theme apart from the
others (class-based TF-IDF), without stop words or redaction placeholders.

Scale. Questions that differ only in case, punctuation, digits or placeholders are one question (a "key"). Up to
`max_clustered` keys, all are embedded and clustered as above. Beyond that, embedding every key would take minutes
(MiniLM embeds a few hundred short questions a second on 2 cores), so the most asked `max_clustered` keys are
clustered, and the others are handled cheaply: a key whose word TF-IDF vector is a near-duplicate of an embedded
key's (cosine at least `near_duplicate`: the same question with a typo, a greeting, a name or a waiting customer)
joins that key's theme without being embedded; up to `max_embedded` − `max_clustered` of the remaining keys (most
asked first) are embedded and join the clustered theme whose questions they are, on average, near enough (the rule
average linkage used), while those that join none are clustered among themselves into new themes; keys beyond that
budget that are no near-duplicate of any embedded key stand alone. `ThemeGrouping.representative` says which
embedded question stands for each question (for the EX-dimension tags), or None for those standing alone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from assistant.insights.facts import ThemeLabel
from assistant.retrieval.embedder import Embedder

ITALIAN_STOP_WORDS = frozenset("""
a ad al alla alle allo ai agli anche ancora avere c che chi ci come con cosa cui da dal dalla dalle dai degli dei
del della delle dello di dopo dove e ed era essere fa fare gli ha hanno ho i il in io la le lei lo loro lui ma mi
mia mio ne nei nel nella nelle no noi non o per perché più posso può puoi qual quale quando quanto quanti questa
questo qui se si sia sono su sua sue suo sul sulla ti tra tu tua tuo un una uno vi voi è sì devo deve serve
""".split())
EXTRA_STOP_WORDS = frozenset("hi hello please thanks pls ciao grazie can could would should need know tell".split())
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]|<[A-Z_]+>")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | ITALIAN_STOP_WORDS | EXTRA_STOP_WORDS


@dataclass(frozen=True)
class ThemeInput:
    """One gap to group: its id and its question, already redacted."""

    gap_id: str
    question: str


@dataclass(frozen=True)
class Theme:
    """A group of gaps about the same thing; `theme_id` is stable for the same members."""

    theme_id: str
    label: str
    member_ids: tuple[str, ...]
    examples: tuple[str, ...]

    def as_label(self) -> ThemeLabel:
        return ThemeLabel(self.theme_id, self.label, self.examples)


@dataclass(frozen=True)
class ThemeGrouping:
    """The themes of a set of gaps, and for each distinct question the embedded question that stands for it.

    `representative[q]` is q itself when q was embedded, the embedded near-duplicate q was joined to otherwise, and
    None for a question beyond the embedding budget that is no near-duplicate of any embedded one.
    """

    themes: list[Theme]
    representative: dict[str, str | None]
    embedded: int


class ThemeBuilder:
    """Groups gap questions into themes (see the module docstring)."""

    def __init__(self, embedder: Embedder, *, meaning_weight: float = 0.6, distance_threshold: float = 0.65,
                 max_clustered: int = 3000, max_embedded: int = 6000, near_duplicate: float = 0.5) -> None:
        if max_clustered < 1 or max_embedded < max_clustered:
            raise ValueError("max_clustered must be at least 1 and max_embedded at least max_clustered")
        self._embedder = embedder
        self._meaning_weight = meaning_weight
        self._threshold = distance_threshold
        self._max_clustered = max_clustered
        self._max_embedded = max_embedded
        self._near_duplicate = near_duplicate

    def build(self, gaps: Sequence[ThemeInput]) -> list[Theme]:
        """The themes, largest first."""
        return self.group(gaps).themes

    def group(self, gaps: Sequence[ThemeInput]) -> ThemeGrouping:
        """The themes, largest first, and which embedded question stands for each question."""
        if not gaps:
            return ThemeGrouping([], {}, 0)
        asked = Counter(gap.question for gap in gaps)
        forms: dict[str, list[str]] = defaultdict(list)
        for question in sorted(asked):
            forms[_key(question)].append(question)
        keys = sorted(forms)
        counts = np.array([sum(asked[form] for form in forms[key]) for key in keys], dtype=np.int64)
        # The form a key is embedded and shown in: its most asked one (the first in sorted order on a tie).
        shown = [max(forms[key], key=lambda form: asked[form]) for key in keys]
        cluster, embedded, link = self._group_keys(keys, shown, counts)
        cluster_of_question = {form: int(cluster[index]) for index, key in enumerate(keys) for form in forms[key]}
        members: dict[int, list[ThemeInput]] = defaultdict(list)
        for gap in gaps:
            members[cluster_of_question[gap.question]].append(gap)
        labels = _labels({number: [gap.question for gap in group] for number, group in members.items()})
        themes = []
        for number, group in members.items():
            ids = tuple(sorted(gap.gap_id for gap in group))
            counted = Counter(gap.question for gap in group)
            examples = tuple(question for question, _ in sorted(counted.items(),
                                                                key=lambda item: (-item[1], item[0]))[:3])
            themes.append(Theme(
                theme_id="theme-" + hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12],
                label=labels[number] or examples[0][:60],
                member_ids=ids,
                examples=examples,
            ))
        stands_for = {}
        for index, key in enumerate(keys):
            source = index if embedded[index] else int(link[index])
            for form in forms[key]:
                stands_for[form] = shown[source] if source >= 0 else None
        return ThemeGrouping(sorted(themes, key=lambda theme: (-len(theme.member_ids), theme.theme_id)),
                             stands_for, int(embedded.sum()))

    def _group_keys(self, keys: list[str], shown: list[str],
                    counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each key's cluster number, whether it was embedded, and the embedded key it was linked to (or -1)."""
        count = len(keys)
        order = np.array(sorted(range(count), key=lambda index: (-counts[index], _stable_hash(keys[index]))),
                         dtype=np.int64)
        sample = np.sort(order[:self._max_clustered])
        rest = order[self._max_clustered:]
        link = np.full(count, -1, dtype=np.int64)
        words = None
        extra = beyond = np.zeros(0, dtype=np.int64)
        if len(rest):
            words = _word_vectors(keys)
            _link_near_duplicates(words, rest, sample, self._near_duplicate, link)
            novel = rest[link[rest] < 0]
            budget = self._max_embedded - self._max_clustered
            extra, beyond = np.sort(novel[:budget]), novel[budget:]
        rows = np.concatenate([sample, extra])
        texts = [shown[index] for index in rows]
        # The app's embedder embeds many short questions in bigger batches (`encode_questions`); any other, as usual.
        encode = getattr(self._embedder, "encode_questions", None) or self._embedder.encode
        meaning = np.asarray(encode(texts), dtype=np.float32)
        wording = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
                                  ).fit_transform([_PLACEHOLDER.sub(" ", text.lower()) for text in texts])
        cluster = np.full(count, -1, dtype=np.int64)
        sample_rows = np.arange(len(sample))
        cluster[sample] = self._cluster(meaning, wording, sample_rows)
        if len(extra):
            self._join_or_cluster(meaning, wording, sample_rows, np.arange(len(sample), len(rows)), rows, cluster)
        if len(beyond) and words is not None:
            _link_near_duplicates(words, beyond, rows, self._near_duplicate, link)
        linked = np.flatnonzero(link >= 0)
        cluster[linked] = cluster[link[linked]]
        alone = np.flatnonzero(cluster < 0)
        cluster[alone] = np.arange(len(alone)) + int(cluster.max()) + 1
        embedded = np.zeros(count, dtype=bool)
        embedded[rows] = True
        return cluster, embedded, link

    def _cluster(self, meaning: np.ndarray, wording: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 1:
            return np.zeros(1, dtype=np.int64)
        similarity = self._similarity(meaning[rows], wording[rows], meaning[rows], wording[rows])
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                        distance_threshold=self._threshold)
        return model.fit_predict(np.clip(1.0 - similarity, 0.0, None)).astype(np.int64)

    def _similarity(self, meaning_a, wording_a, meaning_b, wording_b) -> np.ndarray:
        words = wording_a @ wording_b.T
        words = words.toarray() if sparse.issparse(words) else np.asarray(words)
        return self._meaning_weight * (meaning_a @ meaning_b.T) + (1.0 - self._meaning_weight) * words

    def _join_or_cluster(self, meaning: np.ndarray, wording: sparse.csr_matrix, sample_rows: np.ndarray,
                         extra_rows: np.ndarray, keys_of_rows: np.ndarray, cluster: np.ndarray,
                         chunk: int = 1024) -> None:
        """Embedded keys outside the clustered sample join the theme whose questions they are, on average, nearest
        (when near enough: the rule average linkage used); the others are clustered among themselves."""
        found, position = np.unique(cluster[keys_of_rows[sample_rows]], return_inverse=True)
        membership = sparse.csr_matrix((np.ones(len(sample_rows), dtype=np.float32),
                                        (np.arange(len(sample_rows)), position)),
                                       shape=(len(sample_rows), len(found)))
        sizes = np.asarray(membership.sum(axis=0)).ravel()
        joins = np.zeros(len(extra_rows), dtype=bool)
        for start in range(0, len(extra_rows), chunk):
            part = extra_rows[start:start + chunk]
            similarity = self._similarity(meaning[part], wording[part], meaning[sample_rows], wording[sample_rows])
            mean = np.asarray((membership.T @ similarity.T).T) / sizes
            best = mean.argmax(axis=1)
            near = mean[np.arange(len(part)), best] >= 1.0 - self._threshold
            cluster[keys_of_rows[part[near]]] = found[best[near]]
            joins[start:start + len(part)] = near
        alone = extra_rows[~joins]
        if len(alone):
            cluster[keys_of_rows[alone]] = self._cluster(meaning, wording, alone) + int(cluster.max()) + 1


def _key(question: str) -> str:
    """The form questions are counted in: lower case, placeholders and punctuation dropped, digits folded."""
    cleaned = _DIGITS.sub("0", _PLACEHOLDER.sub(" ", question.lower()))
    return " ".join(_NOT_WORD.sub(" ", cleaned).split())


def _word_vectors(keys: list[str]) -> sparse.csr_matrix:
    """Word TF-IDF of every key (content words only), for finding near-duplicates cheaply."""
    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b[^\W\d_]{2,}\b", stop_words=sorted(_STOP_WORDS),
                                 sublinear_tf=True, dtype=np.float32)
    try:
        return vectorizer.fit_transform(keys).tocsr()
    except ValueError:  # no key has a content word: nothing is a near-duplicate of anything
        return sparse.csr_matrix((len(keys), 1), dtype=np.float32)


def _link_near_duplicates(vectors: sparse.csr_matrix, rows: np.ndarray, targets: np.ndarray, threshold: float,
                          link: np.ndarray, chunk: int = 2048) -> None:
    """For each of `rows`, the most similar of `targets` by word TF-IDF, kept when the cosine is at least
    `threshold`."""
    if not len(rows) or not len(targets):
        return
    target_vectors = vectors[targets].T.tocsc()
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        similarity = (vectors[part] @ target_vectors).toarray()
        best = similarity.argmax(axis=1)
        near = similarity[np.arange(len(part)), best] >= threshold
        link[part[near]] = targets[best[near]]


def _stable_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) + 1e-12)


def _labels(questions_by_cluster: dict[int, list[str]], terms: int = 3) -> dict[int, str]:
    """The terms that are frequent in a cluster and rare in the others (class-based TF-IDF)."""
    counts = {cluster: Counter(_terms(" ".join(questions))) for cluster, questions in questions_by_cluster.items()}
    clusters_with = Counter(term for counter in counts.values() for term in counter)
    total = len(counts)
    labels = {}
    for cluster, counter in counts.items():
        size = sum(counter.values()) or 1
        scored = sorted(counter, key=lambda term: (-(counter[term] / size) * np.log(1 + total / clusters_with[term]),
                                                   term))
        labels[cluster] = " ".join(scored[:terms])
    return labels


def _terms(text: str) -> list[str]:
    cleaned = _PLACEHOLDER.sub(" ", text.lower())
    return [word for word in _WORD.findall(cleaned)
            if word not in ENGLISH_STOP_WORDS and word not in ITALIAN_STOP_WORDS and word not in EXTRA_STOP_WORDS]
