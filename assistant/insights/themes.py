"""Gaps grouped into themes by meaning, each with a readable label in the questions' own language.

Two questions are alike by a mix of meaning and wording: `meaning_weight` × the cosine of their
embeddings (the assistant's own model, English-only) plus the rest × the cosine of their character
3-5-gram TF-IDF vectors (which carry Italian and other languages the model reads poorly). Average-linkage
agglomerative clustering (scikit-learn) puts a question in a theme when its distance to the theme's
questions is, on average, below `distance_threshold`. Identical questions are embedded once. Above
`max_clustered` distinct questions, a sample is clustered and every other question joins
the nearest theme's centroid (or stands alone), so 100,000 gaps stay cheap. Labels are the terms that
set a theme apart from the others (class-based TF-IDF), without stop words or redaction placeholders.
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


class ThemeBuilder:
    """Groups gap questions into themes (see the module docstring)."""

    def __init__(self, embedder: Embedder, *, meaning_weight: float = 0.6, distance_threshold: float = 0.65,
                 max_clustered: int = 3000) -> None:
        self._embedder = embedder
        self._meaning_weight = meaning_weight
        self._threshold = distance_threshold
        self._max_clustered = max_clustered

    def build(self, gaps: Sequence[ThemeInput]) -> list[Theme]:
        if not gaps:
            return []
        texts = sorted({gap.question for gap in gaps})
        meaning = np.asarray(self._embedder.encode(texts), dtype=np.float32)
        wording = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
                                  ).fit_transform([_PLACEHOLDER.sub(" ", text.lower()) for text in texts])
        cluster_of_text = self._clusters(meaning, wording)
        members: dict[int, list[ThemeInput]] = defaultdict(list)
        index_of = {text: index for index, text in enumerate(texts)}
        for gap in gaps:
            members[cluster_of_text[index_of[gap.question]]].append(gap)
        labels = _labels({cluster: [gap.question for gap in group] for cluster, group in members.items()})
        themes = []
        for cluster, group in members.items():
            ids = tuple(sorted(gap.gap_id for gap in group))
            counts = Counter(gap.question for gap in group)
            themes.append(Theme(
                theme_id="theme-" + hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12],
                label=labels[cluster] or group[0].question[:60],
                member_ids=ids,
                examples=tuple(question for question, _ in counts.most_common(3)),
            ))
        return sorted(themes, key=lambda theme: (-len(theme.member_ids), theme.theme_id))

    def _clusters(self, meaning: np.ndarray, wording: sparse.csr_matrix) -> list[int]:
        count = meaning.shape[0]
        if count == 1:
            return [0]
        sample = np.arange(count)
        if count > self._max_clustered:
            sample = np.sort(np.random.default_rng(0).choice(count, self._max_clustered, replace=False))
        similarity = self._similarity(meaning[sample], wording[sample], meaning[sample], wording[sample])
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                        distance_threshold=self._threshold)
        sample_labels = model.fit_predict(np.clip(1.0 - similarity, 0.0, None))
        labels = np.full(count, -1, dtype=np.int64)
        labels[sample] = sample_labels
        rest = np.flatnonzero(labels < 0)
        if len(rest):
            self._assign_to_nearest(labels, rest, sample, sample_labels, meaning, wording)
        return labels.tolist()

    def _similarity(self, meaning_a, wording_a, meaning_b, wording_b) -> np.ndarray:
        words = wording_a @ wording_b.T
        words = words.toarray() if sparse.issparse(words) else np.asarray(words)
        return self._meaning_weight * (meaning_a @ meaning_b.T) + (1.0 - self._meaning_weight) * words

    def _assign_to_nearest(self, labels, rest, sample, sample_labels, meaning, wording) -> None:
        """Questions outside the clustered sample join the theme whose centroid is near enough, else stand alone."""
        clusters = np.unique(sample_labels)
        members = [sample[sample_labels == cluster] for cluster in clusters]
        meaning_centroids = np.stack([_unit(meaning[rows].mean(axis=0)) for rows in members])
        wording_centroids = np.stack([_unit(np.asarray(wording[rows].mean(axis=0)).ravel()) for rows in members])
        next_label = int(labels.max()) + 1
        for start in range(0, len(rest), 2048):
            rows = rest[start:start + 2048]
            similarity = (self._meaning_weight * (meaning[rows] @ meaning_centroids.T)
                          + (1.0 - self._meaning_weight) * np.asarray(wording[rows] @ wording_centroids.T))
            best = similarity.argmax(axis=1)
            for position, row in enumerate(rows):
                if similarity[position, best[position]] >= 1.0 - self._threshold:
                    labels[row] = clusters[best[position]]
                else:
                    labels[row] = next_label
                    next_label += 1


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
