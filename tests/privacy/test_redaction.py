"""The redactor on real text with the real spaCy model: what it must remove and what it must keep."""

from __future__ import annotations

import threading

import pytest

from assistant.nlu.entities import EntityExtractor, PersonFinder
from assistant.nlu.spacy_model import MAX_CHUNK_CHARS
from assistant.privacy import PiiKind, RedactionResult, Redactor, is_luhn_valid, is_valid_iban

pytestmark = pytest.mark.model  # spaCy's name recogniser


@pytest.fixture(scope="module")
def full() -> Redactor:
    """The default redactor: patterns, cues and spaCy's recogniser."""
    redactor = Redactor()
    redactor.warm_up()
    return redactor


@pytest.fixture(scope="module")
def no_ner() -> Redactor:
    """Patterns and cues only."""
    return Redactor(use_ner=False)


class FixedNames:
    """A name finder that returns the spans it was given, whatever the text."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.calls: list[str] = []

    def __call__(self, text: str) -> list[tuple[int, int]]:
        self.calls.append(text)
        return self.spans


# (text, expected) pairs: every kind, in English and Italian sentences.
PERSONAL_DATA = [
    # emails
    ("Please email giulia.rossi@example.com about the refund", "Please email [EMAIL] about the refund"),
    (
        "Il cliente ha scritto da mario.bianchi+resi@posta.verdello.it ieri",
        "Il cliente ha scritto da [EMAIL] ieri",
    ),
    ("contact: anna_verdi99@sub.domain.example.org, thanks", "contact: [EMAIL], thanks"),
    ("Reply to J.O'Neil@mail.co.uk.", "Reply to [EMAIL]."),
    # Italian phone numbers
    ("Call her on +39 02 1234 5678 after 5pm", "Call her on [PHONE] after 5pm"),
    ("Il numero è 0039 347 123 4567", "Il numero è [PHONE]"),
    ("Richiamare il 347 1234567 entro le 18", "Richiamare il [PHONE] entro le 18"),
    ("Ufficio: 02-12345678", "Ufficio: [PHONE]"),
    ("Il negozio risponde allo 06 1234 5678", "Il negozio risponde allo [PHONE]"),
    ("cell 3471234567", "cell [PHONE]"),
    # UK phone numbers
    ("Her number is +44 20 7946 0018", "Her number is [PHONE]"),
    ("Mobile 07700 900123, landline 020 7946 0018", "Mobile [PHONE], landline [PHONE]"),
    ("+44 (0)20 7946 0018 is the head office", "[PHONE] is the head office"),
    # US and international phone numbers
    ("He called from +1 (415) 555-0199 yesterday", "He called from [PHONE] yesterday"),
    ("Try 415-555-0199 or (415) 555-0199", "Try [PHONE] or [PHONE]"),
    # payment cards (all Luhn-valid)
    ("Card number 4111 1111 1111 1111 was declined", "Card number [CARD] was declined"),
    ("La carta 5555-5555-5555-4444 è stata rifiutata", "La carta [CARD] è stata rifiutata"),
    ("Amex 3782 822463 10005 expires 12/27", "Amex [CARD] expires 12/27"),
    ("paid with 4012888888881881", "paid with [CARD]"),
    ("old 13-digit card 4222222222222", "old 13-digit card [CARD]"),
    ("19 digits: 4000 0000 0000 0000 006", "19 digits: [CARD]"),
    # IBANs (all with a correct mod-97 check)
    ("IBAN IT60 X054 2811 1010 0000 0123 456 per il rimborso", "IBAN [IBAN] per il rimborso"),
    ("Refund to GB82 WEST 1234 5698 7654 32 please", "Refund to [IBAN] please"),
    ("Bonifico su DE89370400440532013000", "Bonifico su [IBAN]"),
    ("iban: fr1420041010050500013m02606", "iban: [IBAN]"),
    ("Account NL91 ABNA 0417 1643 00.", "Account [IBAN]."),
    ("Norway NO93 8601 1117 947 then", "Norway [IBAN] then"),
    # names in English
    ("Customer John Smith wants a refund", "Customer [PERSON] wants a refund"),
    ("My name is Sarah Connor and I work in Leeds", "My name is [PERSON] and I work in Leeds"),
    ("my name is oliver twist", "my name is [PERSON]"),
    ("Mrs Jones left her umbrella at the till", "Mrs [PERSON] left her umbrella at the till"),
    ("Dr. Patel asked about the warranty", "Dr. [PERSON] asked about the warranty"),
    ("I spoke with Tom Baker yesterday", "I spoke with [PERSON] yesterday"),
    ("Thanks Anna, that helped", "Thanks [PERSON], that helped"),
    ("The customer Mary-Jane O'Brien left her card", "The customer [PERSON] left her card"),
    # names in Italian
    ("Mi chiamo Marco Bianchi e lavoro a Torino", "Mi chiamo [PERSON] e lavoro a Torino"),
    ("Il cliente Giuseppe Verdi vuole un rimborso", "Il cliente [PERSON] vuole un rimborso"),
    ("La Sig.ra Esposito ha chiamato due volte", "La Sig.ra [PERSON] ha chiamato due volte"),
    ("Il signor Rossi chiede la fattura", "Il signor [PERSON] chiede la fattura"),
    (
        "Ho parlato con Francesca Romano del negozio di Bologna",
        "Ho parlato con [PERSON] del negozio di Bologna",
    ),
    ("Ciao Luca, la cliente Maria Esposito ha chiamato", "Ciao [PERSON], la cliente [PERSON] ha chiamato"),
    ("Paolo ha chiesto un cambio", "[PERSON] ha chiesto un cambio"),
    # several kinds together
    (
        "Giulia Rossi (giulia.rossi@example.com, +39 347 123 4567) wants to return ORD-20481736",
        "[PERSON] ([EMAIL], [PHONE]) wants to return ORD-20481736",
    ),
    (
        "Cliente Anna Ferri, carta 4111-1111-1111-1111, IBAN DE89370400440532013000, tel. 02 1234 5678",
        "Cliente [PERSON], carta [CARD], IBAN [IBAN], tel. [PHONE]",
    ),
]

# Text that holds no personal data and must come back unchanged.
NOTHING_PERSONAL = [
    "Where is order ORD-20481736?",
    "Lo stato dell'ordine ord-2048173612?",
    "Order placed on 2026-11-23 at 10:30",
    "Consegna prevista il 23/11/2026 alle 14:00",
    "Delivered 23.11.2026, collected 01 12 2026",
    "The lamp costs £1,234.56 or €1.234,56",
    "Can a customer return a sofa after 30 days?",
    "The delivery slot is 4 hours",
    "Is SKU-12345678 in stock?",
    "Is GRD-10442 in stock at ST042?",
    "Who manages ST042 and store 42?",
    "How do I process a return at the Milan store?",
    "What is Verdello Rewards?",
    "Dove si trova il negozio di Verona?",
    "Is the Monza outlet open on Easter Monday?",
    "Can I accept Klarna or PayPal at the Bologna store?",
    "How do I escalate to Customer Service?",
    "Come faccio un reso senza scontrino?",
    "Qual è la politica di rimborso per le carte regalo?",
    "Buongiorno, il cliente vuole sapere dove è il suo ordine",
    "Hi, Ciao, Grazie mille!",
    "What is the Price Promise?",
    "Range 2025-2026, 12 months, 3 x 4 metres, 1800 x 2400 mm",
    "Batch 20260112 expires 2027; version 3.8.0 released 2025-06-01",
    "Card ending 1234 5678 9012 3456 was declined",
    "IBAN IT60 X054 2811 1010 0000 0123 457 has a typo",
    "Our fulfilment centres are in Daventry (UK) and Piacenza (Italia)",
    "Il rimborso arriva in 5 giorni lavorativi, Regno Unito escluso",
    "Totals 12.0212345678 and 1.234.567.890",
    "Is the Dyson V15 in stock at Harrogate?",
    "Posso vendere un Makita usato?",
    "How do I contact Tesco Bank about a gift card?",
    "Does Husqvarna warranty apply to Flymo mowers?",
]


@pytest.mark.parametrize(("text", "expected"), PERSONAL_DATA)
def test_personal_data_is_replaced_by_typed_placeholders(full: Redactor, text: str, expected: str) -> None:
    assert full.redact(text) == expected


@pytest.mark.parametrize("text", NOTHING_PERSONAL)
def test_text_without_personal_data_is_unchanged(full: Redactor, text: str) -> None:
    assert full.redact(text) == text


@pytest.fixture(scope="module")
def through_nlu() -> Redactor:
    """The server's redactor: names from NLU's entity extractor (one spaCy pass per question serves both)."""
    return Redactor(name_finder=PersonFinder(EntityExtractor()))


@pytest.mark.parametrize(("text", "expected"), PERSONAL_DATA)
def test_names_from_the_entity_extractor_redact_as_the_recogniser_does(through_nlu: Redactor, text: str,
                                                                         expected: str) -> None:
    assert through_nlu.redact(text) == expected


@pytest.mark.parametrize("text", NOTHING_PERSONAL)
def test_names_from_the_entity_extractor_keep_what_is_not_personal(through_nlu: Redactor, text: str) -> None:
    assert through_nlu.redact(text) == text


def test_the_extractor_runs_spacy_once_for_a_text_asked_for_twice() -> None:
    extractor = EntityExtractor()
    first = extractor.extract("Mario Rossi asked about ORD-20481736")
    assert extractor.extract("Mario Rossi asked about ORD-20481736") == first
    assert len(extractor._recent) == 1


@pytest.mark.parametrize("text", NOTHING_PERSONAL)
def test_text_without_personal_data_is_unchanged_without_ner(no_ner: Redactor, text: str) -> None:
    assert no_ner.redact(text) == text


@pytest.mark.parametrize(("text", "expected"), PERSONAL_DATA)
def test_redacting_twice_changes_nothing_more(full: Redactor, text: str, expected: str) -> None:
    assert full.redact(full.redact(text)) == expected


def test_the_report_counts_each_kind(full: Redactor) -> None:
    result = full.redact_with_report(
        "Customer Giulia Rossi, giulia@example.com, called from 347 1234567 and 02 1234 5678 "
        "about card 4111 1111 1111 1111."
    )

    assert isinstance(result, RedactionResult)
    assert result.text == "Customer [PERSON], [EMAIL], called from [PHONE] and [PHONE] about card [CARD]."
    assert dict(result.counts) == {
        PiiKind.EMAIL: 1,
        PiiKind.PHONE: 2,
        PiiKind.CARD: 1,
        PiiKind.IBAN: 0,
        PiiKind.PERSON: 1,
    }
    assert result.counts["PHONE"] == 2  # the kinds are string enums
    assert result.total == 5


def test_nothing_found_gives_zero_counts(full: Redactor) -> None:
    result = full.redact_with_report("Where is order ORD-20481736?")

    assert result.text == "Where is order ORD-20481736?"
    assert result.total == 0
    assert set(result.counts) == set(PiiKind)


# --- payment cards: Luhn ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "3782 822463 10005", "79927398713"],
)
def test_luhn_accepts_valid_numbers(number: str) -> None:
    assert is_luhn_valid(number)


@pytest.mark.parametrize(
    "number", ["4111 1111 1111 1112", "1234 5678 9012 3456", "79927398710", "", "7", "4111 1111 1111 111x"]
)
def test_luhn_rejects_invalid_numbers(number: str) -> None:
    assert not is_luhn_valid(number)


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [
        ("4111 1111 1111 1111", "4111 1111 1111 1112"),
        ("5555-5555-5555-4444", "5555-5555-5555-4445"),
        ("4012888888881881", "4012888888881882"),
        ("3782 822463 10005", "3782 822463 10006"),
    ],
)
def test_only_luhn_valid_numbers_are_redacted_as_cards(full: Redactor, valid: str, invalid: str) -> None:
    assert full.redact(f"card {valid} declined") == "card [CARD] declined"
    assert full.redact(f"card {invalid} declined") == f"card {invalid} declined"


def test_a_luhn_valid_number_inside_a_code_is_not_a_card(full: Redactor) -> None:
    text = "Reference ORD-4111111111111111 and SKU-4111111111111111"
    assert full.redact(text) == text


# --- IBANs: mod-97 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "IT60 X054 2811 1010 0000 0123 456",
        "IT60X0542811101000000123456",
        "GB82 WEST 1234 5698 7654 32",
        "DE89370400440532013000",
        "FR14 2004 1010 0505 0001 3M02 606",
        "BE68 5390 0754 7034",
        "CH9300762011623852957",
        "nl91abna0417164300",
    ],
)
def test_mod97_accepts_valid_ibans(iban: str) -> None:
    assert is_valid_iban(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "IT60 X054 2811 1010 0000 0123 457",  # one digit changed
        "GB82 WEST 1234 5698 7654 23",  # two digits swapped
        "DE88370400440532013000",  # wrong check digits
        "GB82",  # too short
        "1234 5678 9012 3456 78",  # no country code
        "ITXX X054 2811 1010 0000 0123 456",  # letters as check digits
        "",
    ],
)
def test_mod97_rejects_invalid_ibans(iban: str) -> None:
    assert not is_valid_iban(iban)


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [
        ("IT60 X054 2811 1010 0000 0123 456", "IT60 X054 2811 1010 0000 0123 465"),
        ("GB82WEST12345698765432", "GB82WEST12345698765433"),
    ],
)
def test_only_mod97_valid_ibans_are_redacted(no_ner: Redactor, valid: str, invalid: str) -> None:
    assert no_ner.redact(f"IBAN {valid}, grazie") == "IBAN [IBAN], grazie"
    assert "[IBAN]" not in no_ner.redact(f"IBAN {invalid}, grazie")


# --- without spaCy, injected finders, keep terms -------------------------------------------------


def test_without_ner_patterns_and_cues_still_work(no_ner: Redactor) -> None:
    assert not no_ner.uses_ner
    assert no_ner.redact("Mi chiamo Marco Bianchi, cell 347 1234567") == "Mi chiamo [PERSON], cell [PHONE]"
    assert no_ner.redact("Customer John Smith, john@example.com") == "Customer [PERSON], [EMAIL]"


def test_names_without_a_cue_need_the_recogniser(full: Redactor, no_ner: Redactor) -> None:
    text = "I spoke with Tom Baker yesterday"
    assert no_ner.redact(text) == text
    assert full.redact(text) == "I spoke with [PERSON] yesterday"


def test_an_injected_name_finder_is_used_and_its_spans_are_checked() -> None:
    text = "Ask Nadia Kowalski about Verdello Rewards"
    finder = FixedNames([(4, 18), (25, 41), (-5, 2), (30, 10_000), (7, 7)])
    redactor = Redactor(name_finder=finder)

    assert redactor.redact(text) == "Ask [PERSON] about Verdello Rewards"
    assert finder.calls == [text]


def test_a_finder_with_ner_switched_off_is_a_contradiction() -> None:
    with pytest.raises(ValueError):
        Redactor(use_ner=False, name_finder=FixedNames([]))


def test_keep_terms_are_never_taken_for_people() -> None:
    text = "Thanks Verdello, and thanks Anna"
    assert Redactor(use_ner=False).redact(text) == "Thanks [PERSON], and thanks [PERSON]"
    keeping = Redactor(use_ner=False, keep_terms=["Verdello"])
    assert keeping.redact(text) == "Thanks Verdello, and thanks [PERSON]"


def test_keep_terms_come_from_the_settings(redactor) -> None:
    from assistant.settings import Settings

    settings = Settings(redaction_keep_terms="Bruno Fiori, Casa Bruno")
    assert settings.redaction_keep_terms == ["Bruno Fiori", "Casa Bruno"]
    text = "Our partner Bruno Fiori delivers the sofas; ask Anna Ferri about it"
    assert "Bruno Fiori" not in redactor.redact(text)  # the recogniser takes the supplier for a person
    keeping = Redactor(keep_terms=settings.redaction_keep_terms)
    assert keeping.redact(text) == "Our partner Bruno Fiori delivers the sofas; ask [PERSON] about it"


# --- odd input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   \n\t", "   \n\t"),
        ("Ciao 👋 Giulia Rossi 📞 +39 347 123 4567 🎉", "Ciao 👋 [PERSON] 📞 [PHONE] 🎉"),
        ("مرحبا John Smith שלום", "مرحبا [PERSON] שלום"),
        ("bad \ud800 surrogate from Giulia Rossi", "bad \ud800 surrogate from [PERSON]"),
        ("nul\x00byte 347 1234567", "nul\x00byte [PHONE]"),
        ("+" * 5_000, "+" * 5_000),
        ("1 " * 5_000, "1 " * 5_000),
        ("a@" * 5_000, "a@" * 5_000),
    ],
)
def test_odd_input_never_raises(full: Redactor, no_ner: Redactor, text: str, expected: str) -> None:
    assert full.redact(text) == expected
    assert isinstance(no_ner.redact_with_report(text), RedactionResult)


def test_non_text_input_is_handled(full: Redactor) -> None:
    assert full.redact(None) == ""  # type: ignore[arg-type]
    assert full.redact(b"call 347 1234567") == "call [PHONE]"  # type: ignore[arg-type]


def test_very_long_text_is_redacted_throughout(full: Redactor) -> None:
    sentence = "Where is order ORD-20481736 for the Milan store? "
    filler = sentence * (2 * MAX_CHUNK_CHARS // len(sentence) + 1)
    text = f"Customer Giulia Rossi called. {filler}Her email is giulia@example.com. {filler}Call 347 1234567."

    result = full.redact_with_report(text)

    assert result.text.startswith("Customer [PERSON] called. Where is order ORD-20481736")
    assert result.text.endswith("Call [PHONE].")
    assert result.counts[PiiKind.EMAIL] == 1
    assert result.total == 3
    assert len(result.text) == len(text) - len("Giulia Rossi giulia@example.com 347 1234567") + len(
        "[PERSON] [EMAIL] [PHONE]"
    )


def test_one_redactor_can_be_used_from_several_threads(full: Redactor) -> None:
    texts = [text for text, _ in PERSONAL_DATA]
    expected = [full.redact(text) for text in texts]
    results: dict[int, list[str]] = {}

    def work(worker: int) -> None:
        results[worker] = [full.redact(text) for text in texts]

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(results[worker] == expected for worker in range(4))
