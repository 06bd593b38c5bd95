"""Removes customer and employee personal data from text before it is stored or logged.

Each item found is replaced by a typed placeholder: [EMAIL], [PHONE], [CARD], [IBAN] or
[PERSON]. Structured data is found by pattern and checked (Luhn for cards, mod-97 for
IBANs, shape and length for Italian, UK and US phone numbers), so order numbers, dates,
prices, SKUs and store codes stay.

Names come from spaCy's recogniser and from cues that work in English and Italian ("my name
is", "mi chiamo", "customer", "cliente", "Mr", "Sig.ra", "thanks", a list of common given
names). The recogniser's guesses are filtered so that product, place and company names stay:
spans holding words such as "Rewards" or "Store", known places, names before "store" or after
"negozio di", and lone capitalised words opening a sentence or inside an Italian sentence
(spaCy's English model takes "Subito" or "Questa" for people). A lone first name opening a
sentence is therefore only caught when it is a common given name.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from spacy.language import Language

from assistant.nlu.spacy_model import DEFAULT_SPACY_MODEL, load_ner_pipeline, split_for_nlp


class PiiKind(StrEnum):
    """The kinds of personal data the redactor removes."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CARD = "CARD"
    IBAN = "IBAN"
    PERSON = "PERSON"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text and how many items of each kind were replaced (every kind is present)."""

    text: str
    counts: Mapping[PiiKind, int]

    @property
    def total(self) -> int:
        """How many items were replaced in all."""
        return sum(self.counts.values())


class NameFinder(Protocol):
    """Finds people's names in text: returns `(start, end)` character spans."""

    def __call__(self, text: str) -> Iterable[tuple[int, int]]: ...


class SpacyNameFinder:
    """PERSON entities from spaCy's recogniser, with the model loaded once and shared."""

    def __init__(self, model_name: str = DEFAULT_SPACY_MODEL, *, nlp: Language | None = None) -> None:
        self._model_name = model_name
        self._nlp = nlp

    def warm_up(self) -> None:
        """Load the model now rather than on the first call."""
        self._pipeline()

    def __call__(self, text: str) -> list[tuple[int, int]]:
        nlp = self._pipeline()
        pieces = list(split_for_nlp(text))
        spans: list[tuple[int, int]] = []
        docs = nlp.pipe(piece for _, piece in pieces)
        for (offset, _), doc in zip(pieces, docs, strict=True):
            spans.extend(
                (offset + ent.start_char, offset + ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"
            )
        return spans

    def _pipeline(self) -> Language:
        if self._nlp is None:
            self._nlp = load_ner_pipeline(self._model_name)
        return self._nlp


# Brands and services that spaCy's small model often takes for people.
DEFAULT_KEEP_TERMS = (
    "Amex",
    "American Express",
    "Apple Pay",
    "Bancomat",
    "Google Pay",
    "Klarna",
    "Maestro",
    "Mastercard",
    "PayPal",
    "Satispay",
    "Scalapay",
    "Visa",
    "Workday",
)


class Redactor:
    """Replaces emails, phone numbers, payment cards, IBANs and people's names with placeholders.

    Names are found by spaCy's recogniser (loaded lazily, once per process) unless
    `use_ner=False`; another finder can be injected as `name_finder`. The cues ("my name
    is", "mi chiamo", "customer", "Mr", "Sig.ra" ...) and every other kind work without it.
    `keep_terms` adds company, product or place names that must never be taken for people
    to `DEFAULT_KEEP_TERMS`. `redact` never raises on unusual text.
    """

    def __init__(
        self,
        *,
        use_ner: bool = True,
        name_finder: NameFinder | None = None,
        model_name: str = DEFAULT_SPACY_MODEL,
        keep_terms: Iterable[str] = (),
    ) -> None:
        if name_finder is not None and not use_ner:
            raise ValueError("name_finder was given but use_ner is False")
        self._finder: NameFinder | None = name_finder
        if self._finder is None and use_ner:
            self._finder = SpacyNameFinder(model_name)
        self._keep = _KeepTerms([*DEFAULT_KEEP_TERMS, *keep_terms])

    @property
    def uses_ner(self) -> bool:
        return self._finder is not None

    def warm_up(self) -> None:
        """Load the name model now (if any) rather than on the first call."""
        if self._finder is not None:
            self._finder("Warm up")

    def redact(self, text: str) -> str:
        """`text` with every item of personal data replaced by its placeholder."""
        return self.redact_with_report(text).text

    def redact_patterns(self, text: str) -> str:
        """The cheap tier alone: emails, phones, cards, IBANs and cued names ("my name is", "Mr", ...), without
        the name recogniser. For text that holds no free-form personal data of its own (an answer quoted from
        company pages, an order summary that is already masked) but must never carry a contact detail either."""
        return self._redacted(text, use_finder=False).text

    def redact_with_report(self, text: str) -> RedactionResult:
        """The redacted text and the number of items replaced, by kind."""
        return self._redacted(text, use_finder=True)

    def _redacted(self, text: str, *, use_finder: bool) -> RedactionResult:
        text = _as_text(text)
        counts = dict.fromkeys(PiiKind, 0)
        if not text.strip():
            return RedactionResult(text, MappingProxyType(counts))

        taken = _SpanSet()
        for finder in _STRUCTURED_FINDERS:
            for span in finder(text):
                taken.add_if_free(span)
        for piece in _person_pieces(text, self._find_names(text, use_finder), taken):
            taken.add_if_free(piece)

        parts: list[str] = []
        cursor = 0
        for start, end, kind in taken:
            parts.append(text[cursor:start])
            parts.append(kind.placeholder)
            counts[kind] += 1
            cursor = end
        parts.append(text[cursor:])
        return RedactionResult("".join(parts), MappingProxyType(counts))

    def _find_names(self, text: str, use_finder: bool) -> list[tuple[int, int]]:
        spans = _cued_names(text, self._keep)
        if use_finder and self._finder is not None:
            for start, end in self._finder(text):
                start, end = max(0, int(start)), min(len(text), int(end))
                if start < end:
                    cleaned = _clean_entity_name(text, start, end, self._keep)
                    if cleaned is not None:
                        spans.append(cleaned)
        return spans


# --- spans -------------------------------------------------------------------------------

_Span = tuple[int, int, PiiKind]


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


class _SpanSet:
    """Non-overlapping spans in order of position, with logarithmic look-ups."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._spans: list[_Span] = []

    def __iter__(self) -> Iterator[_Span]:
        return iter(self._spans)

    def add_if_free(self, span: _Span) -> bool:
        """Add `span` unless it overlaps one already there; True when added."""
        index = bisect.bisect_left(self._starts, span[0])
        if any(True for _ in self.overlapping(span[0], span[1], index)):
            return False
        self._starts.insert(index, span[0])
        self._spans.insert(index, span)
        return True

    def overlapping(self, start: int, end: int, index: int | None = None) -> Iterator[_Span]:
        """The spans overlapping `start:end`, in order."""
        if index is None:
            index = bisect.bisect_left(self._starts, start)
        index = max(0, index - 1)
        while index < len(self._spans) and self._spans[index][0] < end:
            if self._spans[index][1] > start:
                yield self._spans[index]
            index += 1


def _person_pieces(text: str, names: list[tuple[int, int]], taken: _SpanSet) -> list[_Span]:
    """Name spans merged together and cut around the structured items already found."""
    merged: list[list[int]] = []
    for start, end in sorted(names):
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1] : start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[_Span] = []
    for start, end in merged:
        cursor = start
        for other_start, other_end, _ in taken.overlapping(start, end):
            pieces.extend(_trimmed_piece(text, cursor, other_start))
            cursor = max(cursor, other_end)
        pieces.extend(_trimmed_piece(text, cursor, end))
    return pieces


def _trimmed_piece(text: str, start: int, end: int) -> list[_Span]:
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not (text[end - 1].isalpha() or "\u0300" <= text[end - 1] <= "\u036f"):
        end -= 1
    if sum(ch.isalpha() for ch in text[start:end]) < 2:
        return []
    return [(start, end, PiiKind.PERSON)]


# --- emails ------------------------------------------------------------------------------

# Anchored after a character that cannot be part of an address, so a long word is scanned once.
_EMAIL = re.compile(r"(?<![\w.%+'\-])[\w.%+'\-]+@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w\-])")


def _find_emails(text: str) -> Iterable[_Span]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), PiiKind.EMAIL


# --- IBANs -------------------------------------------------------------------------------

_IBAN = re.compile(
    r"(?<![^\W_])[A-Za-z]{2}[0-9]{2}"
    r"(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?)"
    r"(?![^\W_])"
)
_IBAN_MIN, _IBAN_MAX = 15, 34


def is_valid_iban(value: str) -> bool:
    """True when `value` (spaces allowed, any case) is an IBAN with a correct mod-97 check."""
    compact = "".join(value.split()).upper()
    if not _IBAN_MIN <= len(compact) <= _IBAN_MAX or not compact.isascii() or not compact.isalnum():
        return False
    if not (compact[:2].isalpha() and compact[2:4].isdigit() and 2 <= int(compact[2:4]) <= 98):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _find_ibans(text: str) -> Iterable[_Span]:
    for match in _IBAN.finditer(text):
        candidate = match.group()
        # A spaced IBAN may have swallowed a short word after it ("... 7034 then"): drop
        # trailing groups until the check passes.
        while len(candidate.replace(" ", "")) >= _IBAN_MIN:
            if is_valid_iban(candidate):
                yield match.start(), match.start() + len(candidate), PiiKind.IBAN
                break
            if " " not in candidate:
                break
            candidate = candidate[: candidate.rfind(" ")]


# --- digit runs (cards and phones) ---------------------------------------------------------

# A run of digit groups is split into groups and the longest valid stretch is taken, so a
# phone number next to "30 days" or a date is still found, and a date is never a phone.
_Group = tuple[int, int, str]
# No number is written in more groups than this ("+44 (0)20 7946 0018" has five).
_MAX_GROUPS = 8


def _split_run(text: str, run: re.Match[str], group_pattern: re.Pattern[str]) -> list[_Group]:
    groups = [
        (run.start() + m.start(), run.start() + m.end(), m.group())
        for m in group_pattern.finditer(run.group())
    ]
    after = text[run.end() : run.end() + 2]
    glued = bool(after) and (
        after[0].isalnum() or after[0] in "_/@-" or (after[0] in ".,:" and after[1:2].isdigit())
    )
    if glued and groups:
        groups.pop()  # the last group belongs to a word, a decimal or a time
    return groups


def _longest_stretches(
    text: str,
    groups: list[_Group],
    digit_range: tuple[int, int],
    is_valid: Callable[[list[str], list[str]], bool],
) -> Iterator[tuple[int, int]]:
    """Leftmost-longest stretches of `groups` that `is_valid` accepts, never overlapping.

    Inside a run a stretch must start and end at a space: "12.0212345678" holds no phone.
    """
    low, high = digit_range
    sizes = [_digit_count(group[2]) for group in groups]
    seps = [text[left[1] : right[0]] for left, right in itertools.pairwise(groups)]
    index = 0
    while index < len(groups):
        if index and not seps[index - 1].isspace():
            index += 1
            continue
        ends: list[int] = []
        digits = 0
        for stop in range(index, min(len(groups), index + _MAX_GROUPS)):
            digits += sizes[stop]
            if digits > high:
                break
            if digits >= low and (stop + 1 == len(groups) or seps[stop].isspace()):
                ends.append(stop + 1)
        next_index = index + 1
        for end in reversed(ends):
            if is_valid([group[2] for group in groups[index:end]], seps[index : end - 1]):
                yield groups[index][0], groups[end - 1][1]
                next_index = end
                break
        index = next_index


def _digit_count(group: str) -> int:
    return sum(ch.isdigit() for ch in group)


def _looks_like_date(groups: list[str]) -> bool:
    numbers = [group.strip("+()") for group in groups]
    for first, second, third in zip(numbers, numbers[1:], numbers[2:], strict=False):
        if len(third) == 4 and len(first) <= 2 and len(second) <= 2 and third[:2] in ("19", "20"):
            return True
        if len(first) == 4 and len(second) <= 2 and len(third) <= 2 and first[:2] in ("19", "20"):
            return True
    return False


# --- payment cards -----------------------------------------------------------------------

_CARD_RUN = re.compile(r"(?<![\w+#/\-])(?<![0-9][.,:])[0-9](?:[0-9]|[ \-](?=[0-9]))*")
_DIGITS = re.compile(r"[0-9]+")


def is_luhn_valid(number: str) -> bool:
    """True when the digits of `number` (spaces and dashes allowed) pass the Luhn check."""
    digits = [int(ch) for ch in number if ch.isdigit() and ch.isascii()]
    if len(digits) < 2 or len(digits) != sum(ch.isalnum() for ch in number):
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _is_card(groups: list[str], seps: list[str]) -> bool:
    number = "".join(groups)
    if not 13 <= len(number) <= 19 or number[0] == "0":
        return False
    if len(groups) > 1:
        if len(set(seps)) != 1:
            return False
        sizes = [len(group) for group in groups]
        amex_or_diners = sizes in ([4, 6, 5], [4, 6, 4])
        fours = len(sizes) >= 4 and all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4
        if not (amex_or_diners or fours):
            return False
    return is_luhn_valid(number)


def _find_cards(text: str) -> Iterable[_Span]:
    for run in _CARD_RUN.finditer(text):
        groups = _split_run(text, run, _DIGITS)
        for start, end in _longest_stretches(text, groups, (13, 19), _is_card):
            yield start, end, PiiKind.CARD


# --- phone numbers -----------------------------------------------------------------------

_PHONE_RUN = re.compile(
    r"(?<![\w+#/()\-])(?<![0-9][.,:])(?:\+ ?)?(?:\([0-9]{1,5}\) ?|[0-9]++(?:[ .\-](?=[0-9(]))?)++"
)
_PHONE_GROUP = re.compile(r"(?:\+ ?)?(?:\([0-9]+\)|[0-9]+)")


def _is_phone(groups: list[str], seps: list[str]) -> bool:
    if _looks_like_date(groups):
        return False
    first = groups[0]
    if first.startswith("+") or (first.startswith("00") and "(" not in first):
        return _is_international_phone(groups)
    if any(group.startswith("+") for group in groups):
        return False
    return _is_national_phone(groups, seps)


def _is_international_phone(groups: list[str]) -> bool:
    # "+44 (0)20 ..." carries a trunk zero that is not dialled from abroad.
    rest = [group for group in groups[1:] if group != "(0)"]
    if any(group.startswith("+") for group in rest):
        return False
    digits = "".join(ch for group in [groups[0], *rest] for ch in group if ch.isdigit())
    if groups[0].startswith("00"):
        digits = digits[2:]
    return digits[:1] not in ("", "0") and 9 <= len(digits) <= 15


def _is_national_phone(groups: list[str], seps: list[str]) -> bool:
    digits = "".join(ch for group in groups for ch in group if ch.isdigit())
    sizes = [_digit_count(group) for group in groups]
    if _is_us_shape(groups, seps, sizes):
        return True
    if any(group.startswith("(") for group in groups) or min(sizes) < 2:
        return False
    if digits[0] == "0":  # Italian landlines and UK numbers keep their leading zero
        return digits[1] != "0" and 9 <= len(digits) <= 11
    if digits[0] == "3":  # Italian mobiles: 3xx and 6 or 7 more digits
        return len(digits) in (9, 10) and (len(groups) == 1 or sizes[0] == 3)
    return False


def _is_us_shape(groups: list[str], seps: list[str], sizes: list[int]) -> bool:
    if sizes != [3, 3, 4] or groups[0].strip("(")[0] in "01":
        return False
    if groups[0].startswith("("):
        return seps[0] in ("", " ") and seps[1] in (" ", "-", ".")
    return seps[0] == seps[1] and seps[0] in (" ", "-", ".")


def _find_phones(text: str) -> Iterable[_Span]:
    for run in _PHONE_RUN.finditer(text):
        groups = _split_run(text, run, _PHONE_GROUP)
        for start, end in _longest_stretches(text, groups, (9, 18), _is_phone):
            yield start, end, PiiKind.PHONE


# In order of precedence: an item overlapping one found earlier is not taken.
_STRUCTURED_FINDERS: tuple[Callable[[str], Iterable[_Span]], ...] = (
    _find_emails,
    _find_ibans,
    _find_cards,
    _find_phones,
)


# --- names -------------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of `words` as a set."""
    return frozenset(words.split())


# Words that name things, not people: a span holding one is a product, place or service
# ("Verdello Rewards", "Price Promise", "Customer Service").
_THING_WORDS = _word_set(
    """
    account app assistant bank bot card cards care centre center club collect company
    delivery department desk express friday gift group guarantee help helpdesk home hub
    insurance ltd mall market member membership office online outlet pay payroll plc plus
    points policy portal premium pro programme program promise promotion rewards reward sale
    service services shop spa srl store stores support team teams voucher warranty week
    accounts compliance finance logistics marketing operations people relations resources sales
    email phone iban person
    """
)

# Words that often start a sentence with a capital letter (English and Italian) or greet;
# they are cut from the edges of a name span.
_FUNCTION_WORDS = _word_set(
    """
    a all allora also and any are buon buona buonasera buongiorno but can cheers ciao
    come cosa could dear devo do does dove e ed everyone for from gli grazie ha hai hello
    hey hi ho how i il in is la le lo ma no not ok okay or per perche perché please posso
    possiamo potete prego puo può qual quale quali quando quanti quanto salve scusa scusate
    se should si sì sono sorry thank thanks the this tutti un una uno vorrei voglio what
    when where which who why would yes
    monday tuesday wednesday thursday saturday sunday lunedì lunedi martedì martedi
    mercoledì mercoledi giovedì giovedi venerdì venerdi sabato domenica
    january february march july august september october november december gennaio
    febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    """
)

# Honorifics, and the articles and roles also cut from the start of a recognised name
# ("il signor Rossi" -> "Rossi").
_HONORIFICS = _word_set(
    """
    mr mrs ms mx miss dr prof sir madam sig sigg sig.ra sig.na signor signora signorina dott
    dott.ssa avv ing
    """
)
_TITLES = _HONORIFICS | _word_set("the il lo la customer client cliente colleague collega")

_PARTICLES = _word_set("de di da del della dei van von der den le du dos das bin al")

# Words lower-case in a self-introduction that end the name ("my name is anna and ...").
_STOP_AFTER_INTRO = _FUNCTION_WORDS | _word_set(
    """
    at by from here im i'm just not of on only still the to with working work calling
    called ringing writing ho lavoro chiamo scrivo sto da di con su tra fra al nel del
    """
)

_CAMEL_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "La", "Le", "Lo", "Van", "Von", "O'", "O’", "D'", "D’")

# A word of letters (and combining accents), with inner apostrophes, dots or hyphens.
_LETTERS = r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*"
_NAME_WORD = re.compile(rf"{_LETTERS}(?:[.'’\-]{_LETTERS})*")
_NAME_GAP = re.compile(r"\.?[ \t]+")
_WORD_GAP = re.compile(r"[ \t]+")
# "Santo Stefano", "Santa Maria Novella": a saint's day, a church or a place.
_SAINT = re.compile(r"\b(?:San|Santo|Santa|Sant'|Saint|St\.?)[ \t]*$")
_NEXT_WORD = re.compile(r"[ \t]*([^\W\d_]+)")

_SELF_INTRO = re.compile(
    r"(?i)\b(?:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called|call\s+me"
    r"|mi\s+chiamo|il\s+mio\s+nome\s+(?:è|e'|e))\s*:?\s+"
)
_ROLE_CUE = re.compile(
    r"(?i)\b(?:customer|client|caller|colleague|employee|cliente|collega|dipendente)\s*:?\s+"
)
_GREETING_CUE = re.compile(
    r"(?i)\b(?:hi|hello|hey|dear|thanks|thank\s+you|cheers|ciao|grazie|buongiorno|buonasera|salve"
    r"|gentile|caro|cara)\s*,?\s+"
)
_TITLE_CUE = re.compile(
    r"\b(?:Mrs|Mr|Ms|Mx|Miss|Dr|Prof|Sig\.ra|Sig\.na|Sigg?|Dott\.ssa|Dott|Avv"
    r"|[Ss]ignor|[Ss]ignora|[Ss]ignorina)\b\.?\s+"
)

# A name just before "store" or just after "negozio di" is a place.
_PLACE_AFTER = _word_set("store stores shop outlet branch office warehouse centre center mall depot site")
_PLACE_BEFORE = re.compile(
    r"(?i)\b(?:negozio|negozi|punto\s+vendita|filiale|sede|magazzino|store|shop|outlet|branch|office"
    r"|città|city)\s+(?:di|a|in|at|of|da|del|della)?\s*$"
)


def _phrase_set(phrases: str) -> frozenset[tuple[str, ...]]:
    """The comma-separated phrases of `phrases`, each as a tuple of lower-case words."""
    return frozenset(tuple(phrase.lower().split()) for phrase in phrases.split(",") if phrase.strip())


# Places in the countries the assistant serves, in English and Italian, so "Bologna" or
# "Regno Unito" is not taken for a person. A span is a place only when all of it is one of
# these ("Anna Verona" stays a name). Names that are as often people's ("Florence",
# "Chester", "Preston") are left out.
_PLACES = _phrase_set(
    """
    Roma, Rome, Milano, Milan, Napoli, Naples, Torino, Turin, Palermo, Genova, Genoa, Bologna,
    Firenze, Bari, Catania, Venezia, Venice, Verona, Messina, Padova, Padua, Trieste, Brescia,
    Parma, Prato, Taranto, Modena, Reggio, Reggio Emilia, Reggio Calabria, Perugia, Livorno,
    Ravenna, Cagliari, Foggia, Rimini, Salerno, Ferrara, Sassari, Latina, Monza, Bergamo,
    Pescara, Trento, Vicenza, Terni, Bolzano, Novara, Piacenza, Ancona, Arezzo, Udine, Cesena,
    Lecce, Pesaro, Como, Varese, Pisa, Siena, Lucca, Treviso, Cremona, Pavia, Mantova, Mantua,
    Lodi, Asti, Cuneo, Alessandria, Savona, Sanremo, Aosta, Matera, Potenza, Cosenza,
    Catanzaro, Siracusa, Syracuse, Trapani, Agrigento, Caserta, Avellino, Benevento, Chieti,
    Teramo, Campobasso, Sondrio, Lecco, Biella, Vercelli, Rovigo, Belluno, Pordenone, Gorizia,
    Grosseto, Pistoia, Viterbo, Frosinone, Brindisi, Lombardia, Lombardy, Piemonte, Piedmont,
    Veneto, Toscana, Tuscany, Lazio, Campania, Sicilia, Sicily, Sardegna, Sardinia, Puglia,
    Apulia, Calabria, Liguria, Marche, Abruzzo, Umbria, Molise, Basilicata, Trentino, Friuli,
    Emilia, Emilia Romagna, Romagna, Valle d'Aosta, Alto Adige,
    London, Londra, Manchester, Birmingham, Leeds, Liverpool, Bristol, Sheffield, Newcastle,
    Nottingham, Leicester, Coventry, Bradford, Edinburgh, Edimburgo, Glasgow, Cardiff, Belfast,
    Aberdeen, Dundee, Oxford, Cambridge, York, Harrogate, Daventry, Brighton, Southampton,
    Portsmouth, Norwich, Exeter, Plymouth, Derby, Hull, Sunderland, Wolverhampton, Swansea,
    Milton Keynes, Northampton, Peterborough, Ipswich, Luton, Watford, Croydon, Guildford,
    Cheltenham, Gloucester, Worcester, Shrewsbury, Inverness, Wakefield, Doncaster, Stockport,
    Salford, Blackpool, Middlesbrough, Yorkshire, Lancashire, Kent, Surrey, Essex, Sussex, Devon,
    Cornwall, Cumbria, Norfolk, Suffolk, Cheshire, Derbyshire, Hampshire, Somerset, Dorset,
    Wales, Galles, Scotland, Scozia, England, Inghilterra, Highlands, Midlands,
    Italy, Italia, UK, United Kingdom, Regno Unito, Great Britain, Gran Bretagna, Britain,
    Ireland, Irlanda, Northern Ireland, Irlanda del Nord, France, Francia, Germany, Germania,
    Spain, Spagna, Europe, Europa, Switzerland, Svizzera, Austria, United States, Stati Uniti,
    San Marino
    """
)

# Common given names (Italian and English), a cue of their own: spaCy's English model misses
# many Italian names. Names that are also words here ("Rosa", "Holly", "Will", "May", "Basil")
# are left out.
_FIRST_NAMES = _word_set(
    """
    Alessandro Alessandra Alessia Andrea Angela Anna Antonio Antonella Barbara Beatrice Carlo
    Chiara Claudia Claudio Cristina Daniele Daniela Davide Elena Elisa Emma Enrico Fabio Federico
    Federica Francesca Francesco Gabriele Giacomo Gianluca Giorgia Giorgio Giovanni Giovanna
    Giulia Giulio Giuseppe Laura Lorenzo Luca Lucia Luigi Manuela Marco Maria Mario Martina
    Massimo Matteo Mattia Michele Monica Nicola Paola Paolo Pietro Riccardo Roberta Roberto
    Salvatore Sara Serena Silvia Simone Sofia Stefano Stefania Tommaso Valentina Valeria Vincenzo
    Adam Alice Amelia Amy Andrew Anthony Charlotte Chloe Daniel David Emily George Hannah Harry
    Isabella James Jane Jennifer Jessica John Joseph Karen Kate Lucy Mary Matthew Michael
    Mohammed Muhammad Olivia Oliver Paul Peter Priya Rachel Rebecca Richard Robert Sarah Sophie
    Steven Thomas William Zoe
    """
)

# Frequent Italian and English words, to tell which language a sentence is in: spaCy's
# English model takes many capitalised Italian words for names ("Questa", "Subito").
_ITALIAN_MARKERS = _word_set(
    """
    il lo gli le un una uno di da del della dei delle nel nella al alla che non per con sono
    è e ed ma come questo questa quando dove anche più ci si mi ho ha hanno posso può vorrei
    cliente ordine negozio
    """
)
_ENGLISH_MARKERS = _word_set(
    """
    the an of to and is are for with on at it this that be can do does what how my your i
    customer order store
    """
)

# Characters that end a sentence, a table cell or a heading.
_SENTENCE_ENDS = frozenset(".!?;:|\n\r")
# Characters that may sit between a sentence end and its first word.
_SENTENCE_OPENERS = frozenset(" \t\"'“”‘’*_([-•#>")


class _KeepTerms:
    """Names that are never redacted as people, matched on whole words, case-insensitively."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = {tuple(word.lower() for word in term.split()) for term in terms if term.strip()}
        self._longest = max((len(term) for term in self._terms), default=0)

    def contains_any(self, words: list[str]) -> bool:
        lowered = [word.lower() for word in words]
        for size in range(1, self._longest + 1):
            for index in range(len(lowered) - size + 1):
                if tuple(lowered[index : index + size]) in self._terms:
                    return True
        return False


def _is_capitalised(word: str) -> bool:
    if not word[0].isupper():
        return False
    rest = word[1:]
    if not any(ch.isupper() for ch in rest):
        return True
    if word.isupper():
        return False  # an acronym or a code, not a name
    return word.startswith(_CAMEL_PREFIXES) or "-" in word


def _strip_possessive(word: str) -> str:
    if word[-2:].lower() in ("'s", "’s"):
        return word[:-2]
    return word


def _clean_entity_name(text: str, start: int, end: int, keep: _KeepTerms) -> tuple[int, int] | None:
    """The part of a recogniser's PERSON span that is a person's name, or None."""
    span = text[start:end]
    if any(ch.isdigit() for ch in span):
        return None
    words = [(start + m.start(), start + m.end(), m.group()) for m in _NAME_WORD.finditer(span)]
    while words and (
        words[0][2].lower() in _TITLES
        or words[0][2].lower() in _FUNCTION_WORDS
        or not words[0][2][0].isupper()
    ):
        words.pop(0)
    while words and (words[-1][2].lower() in _FUNCTION_WORDS or words[-1][2].lower() in _PARTICLES):
        words.pop()
    if not words:
        return None
    names = [_strip_possessive(word) for _, _, word in words]
    for index, name in enumerate(names):
        lowered = name.lower()
        if lowered in _THING_WORDS or lowered in _FUNCTION_WORDS:
            return None
        if not _is_capitalised(name) and not (index and lowered in _PARTICLES):
            return None
    first, last = words[0][0], words[-1][0] + len(names[-1])
    if keep.contains_any(names) or _is_place(text, first, last, names):
        return None
    # One capitalised word opening a sentence is too often a common noun or an Italian word
    # ("Expiry", "Subito"); in an Italian sentence a lone word is never trusted.
    if len(names) == 1 and (_opens_sentence(text, first) or _is_italian(text, first, last)):
        return None
    return first, last


def _opens_sentence(text: str, start: int) -> bool:
    index = start - 1
    while index >= 0 and text[index] in _SENTENCE_OPENERS:
        index -= 1
    return index < 0 or text[index] in _SENTENCE_ENDS


def _is_italian(text: str, start: int, end: int) -> bool:
    """Whether the sentence around `start:end` has more Italian than English marker words."""
    left = start
    while left > 0 and start - left < 300 and text[left - 1] not in _SENTENCE_ENDS:
        left -= 1
    right = end
    while right < len(text) and right - end < 300 and text[right] not in _SENTENCE_ENDS:
        right += 1
    words = [word.lower() for word in _NAME_WORD.findall(text[left:right])]
    italian = sum(word in _ITALIAN_MARKERS for word in words)
    english = sum(word in _ENGLISH_MARKERS for word in words)
    return italian > english


def _is_place(text: str, start: int, end: int, names: list[str]) -> bool:
    if tuple(" ".join(names).lower().split()) in _PLACES:
        return True
    following = _NEXT_WORD.match(text, end)
    if following is not None and following.group(1).lower() in _PLACE_AFTER:
        return True
    return _PLACE_BEFORE.search(text[max(0, start - 40) : start]) is not None


def _cued_names(text: str, keep: _KeepTerms) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cues = ((_SELF_INTRO, True), (_ROLE_CUE, False), (_GREETING_CUE, False), (_TITLE_CUE, False))
    for cue, lenient in cues:
        for match in cue.finditer(text):
            found = _name_after(text, match.end(), lenient, keep)
            if found is not None:
                spans.append(found)
    for match in _NAME_WORD.finditer(text):
        start = match.start()
        if match.group().split("-")[0] in _FIRST_NAMES and not _SAINT.search(text, max(0, start - 12), start):
            found = _name_after(text, start, False, keep)
            if found is not None and not _is_place(text, found[0], found[1], [text[found[0] : found[1]]]):
                spans.append(found)
    return spans


def _name_after(text: str, position: int, lenient: bool, keep: _KeepTerms) -> tuple[int, int] | None:
    """Up to three name words starting at `position`, or None when none follows."""
    kept: list[tuple[int, int, str]] = []
    cursor = position
    for _ in range(6):
        match = _NAME_WORD.match(text, cursor)
        if match is None:
            break
        word = match.group()
        lowered = word.lower()
        if not kept and lowered.rstrip(".") in _HONORIFICS:
            gap = _NAME_GAP.match(text, match.end())
            if gap is None:
                break
            cursor = gap.end()
            continue
        name = _strip_possessive(word)
        if lowered in _THING_WORDS:
            return None  # "customer Verdello Rewards": the words name a thing
        if lowered in _FUNCTION_WORDS:
            break
        if lenient:
            acceptable = lowered not in _STOP_AFTER_INTRO and "." not in word
        else:
            acceptable = _is_capitalised(name) or bool(kept and lowered in _PARTICLES)
        if not acceptable:
            break
        kept.append((match.start(), match.start() + len(name), name))
        if len(kept) == 3 or name != word:
            break
        gap = _WORD_GAP.match(text, match.end())
        if gap is None:
            break
        cursor = gap.end()
    while kept and kept[-1][2].lower() in _PARTICLES:
        kept.pop()
    if not kept or keep.contains_any([word for _, _, word in kept]):
        return None
    return kept[0][0], kept[-1][1]
