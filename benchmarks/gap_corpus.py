"""Realistic front-line staff questions for the gap benchmarks: many topics, English and Italian, paraphrases,
typos, greetings, a customer waiting, and personal data planted so that redaction has something to remove.

How the questions repeat (what a chain's gap log looks like over a quarter, not a set made easy to group):

- Topics: 64 written topics (each asked in 2-4 English and 2-3 Italian ways, some with slots such as a product or a
  number) plus a long tail of 280 small topics, a rare subject (160 English, 120 Italian) asked through one of 6
  frames in its language (1,680 wordings before typos). A gap's topic is drawn from a Zipf law over the topic ranks
  (exponent `ZIPF_EXPONENT`), so a few topics are very common and hundreds are rare; `LONG_TAIL_SHARE` of gaps come
  from the long tail.
- Exact repeats: `EXACT_REPEAT_SHARE` of gaps repeat, character for character, a question already asked (drawn
  from the earlier gaps, so popular wordings repeat more: several staff pasting the same text, retries).
- Every other gap is a fresh wording of its topic: a paraphrase in the asker's language (60% English, 40% Italian),
  slots filled, then 0-3 typos, a greeting or sign-off, a customer-waiting remark, odd casing and, in
  `PERSONAL_DATA_SHARE` of them, a person's name, e-mail address or phone number.

Questions are returned raw; the benchmark redacts them with the store's own `Redactor` before storing them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ZIPF_EXPONENT = 1.05
EXACT_REPEAT_SHARE = 0.25
PERSONAL_DATA_SHARE = 0.08
LONG_TAIL_SHARE = 0.15
ITALIAN_SHARE = 0.4

# topic: (English paraphrases, Italian paraphrases); {product}, {n}, {day} and {store} are filled at random.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "gift_card_balance": (
        ("how do I check the balance on a gift card", "customer wants to know what's left on her gift card",
         "where do I see how much money is on a giftcard at the till", "gift card balance lookup?"),
        ("come controllo il saldo di una gift card", "cliente chiede quanto credito resta sulla carta regalo",
         "dove vedo il saldo della carta regalo in cassa")),
    "refund_no_receipt": (
        ("can I refund without a receipt", "customer lost the receipt and wants a refund for a {product}",
         "refund with no proof of purchase, is that allowed", "no receipt, can I still give money back"),
        ("posso fare un rimborso senza scontrino", "cliente senza scontrino vuole il rimborso di un {product}",
         "reso senza prova d'acquisto si può fare?")),
    "van_delivery": (
        ("how do I book a van delivery for a customer", "customer wants a {product} delivered, how to book the van",
         "where do I arrange home delivery for a big item"),
        ("come prenoto la consegna a domicilio con il furgone", "il cliente vuole farsi consegnare un {product} a casa",
         "dove si prenota la consegna per articoli ingombranti")),
    "staff_parking": (
        ("where can staff park", "is there a car park for employees at store {store}",
         "can I leave my car in the customer car park during my shift"),
        ("dove possono parcheggiare i dipendenti", "c'è un parcheggio per il personale?")),
    "holiday_allowance": (
        ("how many days of annual leave do I get", "what's my holiday allowance this year",
         "how much holiday am I entitled to working part time", "do bank holidays count in my leave"),
        ("quanti giorni di ferie ho all'anno", "quante ferie mi spettano se lavoro part time",
         "i festivi contano nelle ferie?")),
    "price_match": (
        ("can we match the price on our website", "customer says the {product} is cheaper online, do we price match",
         "the app shows a lower price than the shelf, what do I charge"),
        ("possiamo allineare il prezzo a quello del sito",
         "sul sito il {product} costa meno, posso fare lo stesso prezzo?",
         "prezzo online più basso che in negozio, cosa faccio")),
    "loyalty_points": (
        ("customer's loyalty points are missing after a purchase", "points didn't go on the rewards card, how to fix",
         "how do I add missing points to a loyalty account"),
        ("al cliente mancano i punti fedeltà dopo l'acquisto", "come aggiungo i punti mancanti sulla carta fedeltà")),
    "plant_guarantee": (
        ("customer says the plant died within a month, what now", "plant guarantee claim, how does it work",
         "do we refund dead plants"),
        ("la pianta è morta dopo due settimane, il cliente vuole il rimborso", "garanzia sulle piante come funziona")),
    "shift_swap": (
        ("how do I swap a shift with a colleague", "can I change my shift on {day} with someone else",
         "shift swap in the rota app, where is it"),
        ("come faccio a scambiare il turno con un collega", "posso cambiare turno {day}?",
         "dove si chiede il cambio turno nell'app")),
    "payslip": (
        ("where do I find my payslip", "my payslip is wrong, who do I talk to",
         "how do I download last month's payslip"),
        ("dove trovo la busta paga", "la mia busta paga è sbagliata, a chi mi rivolgo")),
    "sick_leave": (
        ("how do I report that I'm sick", "who do I call if I'm ill before my shift",
         "do I need a doctor's note for {n} days off sick"),
        ("come comunico la malattia", "chi devo chiamare se sto male prima del turno",
         "serve il certificato medico per {n} giorni di malattia?")),
    "till_error": (
        ("the till shows error {n}, what do I do", "card payment keeps failing on till {n}",
         "till froze during a sale"),
        ("la cassa dà errore {n}, cosa faccio", "il pagamento con carta non passa sulla cassa {n}")),
    "click_collect": (
        ("where are click and collect orders kept", "customer here for click and collect but the order isn't ready",
         "how long do we keep uncollected click & collect parcels"),
        ("dove sono gli ordini click and collect", "il cliente è qui per ritirare l'ordine ma non è pronto",
         "quanto teniamo i pacchi non ritirati")),
    "damaged_delivery": (
        ("customer received a damaged {product}, what are the options", "delivery arrived broken, replace or refund",
         "item damaged in transit, how do I log it"),
        ("il cliente ha ricevuto un {product} danneggiato", "merce arrivata rotta, sostituzione o rimborso?")),
    "staff_discount": (
        ("how much is the staff discount", "does my staff discount work on sale items",
         "can my partner use my employee discount"),
        ("quanto è lo sconto dipendenti", "lo sconto dipendenti vale anche sui saldi?")),
    "uniform": (
        ("where do I order a new uniform", "how many uniform shirts do we get",
         "can I wear my own shoes with the uniform"),
        ("dove ordino una nuova divisa", "quante magliette della divisa ci danno")),
    "fire_alarm": (
        ("what do I do when the fire alarm goes off", "where is the assembly point at store {store}",
         "who is the fire warden on {day}"),
        ("cosa faccio se suona l'allarme antincendio", "dov'è il punto di raccolta")),
    "first_aid": (
        ("customer fainted in the store, who do I call", "where is the first aid kit", "who is first aider today"),
        ("un cliente si è sentito male in negozio, chi chiamo", "dove si trova la cassetta di pronto soccorso")),
    "key_holding": (
        ("who opens the store on {day}", "lost the store keys, what now", "how do I become a key holder"),
        ("chi apre il negozio {day}", "ho perso le chiavi del negozio")),
    "cash_up": (
        ("how do I cash up the till at the end of the day", "the till is {n} euro short at cash up",
         "cash up procedure for self checkout"),
        ("come si fa la chiusura cassa", "alla chiusura mancano {n} euro in cassa")),
    "exchange_sale": (
        ("can customers exchange sale items", "exchange a {product} bought in the sale, allowed?",
         "returns policy for discounted items"),
        ("si possono cambiare gli articoli in saldo", "il cliente vuole cambiare un {product} comprato in saldo")),
    "warranty_tools": (
        ("how long is the warranty on power tools", "customer's drill stopped working after {n} months",
         "do we repair tools under guarantee or send them back"),
        ("quanto dura la garanzia sugli elettroutensili", "il trapano del cliente non funziona più dopo {n} mesi")),
    "paint_mixing": (
        ("the paint mixing machine is broken", "how do I tint paint to a colour code",
         "customer wants a paint colour matched from a sample"),
        ("la macchina tintometrica non funziona", "come faccio a fare un colore su campione")),
    "key_cutting": (
        ("do we still cut keys", "key cutting machine jammed, who fixes it", "price for cutting a car key"),
        ("facciamo ancora duplicati di chiavi", "la macchina per le chiavi è bloccata")),
    "timber_cutting": (
        ("can we cut timber to size for customers", "how many free cuts on a sheet of plywood",
         "the panel saw is out of order"),
        ("tagliamo il legno su misura per i clienti", "quanti tagli gratis su un pannello")),
    "training_course": (
        ("how do I sign up for the forklift training", "where are my e-learning courses",
         "is the manual handling course mandatory"),
        ("come mi iscrivo al corso per il muletto", "dove trovo i corsi online",
         "il corso sulla movimentazione carichi è obbligatorio?")),
    "forklift": (
        ("can I drive the forklift without a licence", "forklift battery won't charge",
         "who is allowed to use the reach truck in the warehouse"),
        ("posso usare il muletto senza patentino", "la batteria del muletto non si carica")),
    "pension": (
        ("how do I join the company pension", "can I change my pension contribution", "who manages the pension scheme"),
        ("come aderisco al fondo pensione", "posso cambiare la quota del fondo pensione")),
    "overtime": (
        ("is overtime paid or time off in lieu", "how is overtime on {day} paid",
         "do I need approval before doing overtime"),
        ("gli straordinari sono pagati o recuperati", "come vengono pagati gli straordinari {day}")),
    "night_shift": (
        ("is there extra pay for night shifts", "night shift allowance rate"),
        ("c'è una maggiorazione per il turno di notte", "quanto si prende in più per la notte")),
    "stock_check": (
        ("how do I check stock in another store", "the system says {n} in stock but the shelf is empty",
         "can I see when the {product} will be back in stock"),
        ("come controllo la giacenza in un altro negozio", "il sistema dice {n} pezzi ma lo scaffale è vuoto",
         "quando torna disponibile il {product}")),
    "order_for_customer": (
        ("how do I order an item that's not in stock for a customer", "customer wants to order a {product} in store",
         "special order for a customer, which screen"),
        ("come ordino per il cliente un articolo non disponibile",
         "il cliente vuole ordinare un {product} in negozio")),
    "delivery_tracking": (
        ("where is the customer's delivery", "how do I track an online order", "order hasn't arrived after {n} days"),
        ("dov'è la consegna del cliente", "come traccio un ordine online", "l'ordine non è arrivato dopo {n} giorni")),
    "price_label": (
        ("shelf label price is different from the till", "how do I print new shelf edge labels",
         "wrong price on the label, do we honour it"),
        ("il prezzo sull'etichetta è diverso dalla cassa", "come stampo le nuove etichette prezzo")),
    "recycling_batteries": (
        ("do we take back old batteries", "customer wants to recycle a {product}", "where does electrical waste go"),
        ("ritiriamo le batterie usate", "il cliente vuole smaltire un {product} vecchio")),
    "installation": (
        ("do we offer kitchen installation", "customer wants the {product} installed, how to book a fitter",
         "how much is installation for a boiler"),
        ("offriamo il montaggio della cucina", "il cliente vuole l'installazione del {product}")),
    "finance_plan": (
        ("can customers pay in instalments", "how do I set up 0% finance", "minimum spend for buy now pay later"),
        ("i clienti possono pagare a rate", "come attivo il finanziamento a tasso zero")),
    "vat_invoice": (
        ("customer needs a VAT invoice", "how do I issue an invoice for a business customer",
         "can I reprint a receipt from last week"),
        ("il cliente vuole la fattura", "come faccio la fattura per un'azienda", "posso ristampare uno scontrino")),
    "trade_account": (
        ("how does a builder open a trade account", "trade discount not applying at the till",
         "credit limit on a trade account"),
        ("come apre un conto professionisti un'impresa", "lo sconto professionisti non viene applicato")),
    "break_times": (
        ("how long is my lunch break", "am I entitled to a break on a {n} hour shift", "can I take my breaks together"),
        ("quanto dura la pausa pranzo", "ho diritto alla pausa in un turno di {n} ore")),
    "rota": (
        ("when is next week's rota published", "I can't see my shifts in the app", "who makes the rota"),
        ("quando esce il piano turni della prossima settimana", "non vedo i miei turni nell'app")),
    "expenses": (
        ("how do I claim mileage", "can I expense a train ticket to the training day", "expenses form, where is it"),
        ("come chiedo il rimborso chilometrico", "posso farmi rimborsare il treno per il corso")),
    "password_reset": (
        ("I forgot my password for the staff app", "how do I reset my till login", "locked out of my account"),
        ("ho dimenticato la password dell'app", "come resetto il login della cassa", "account bloccato")),
    "handheld_scanner": (
        ("the handheld scanner won't connect to wifi", "where do we charge the scanners", "scanner shows a red light"),
        ("il palmare non si collega al wifi", "dove si caricano i palmari")),
    "shoplifting": (
        ("what do I do if I see someone shoplifting", "can I stop a shoplifter", "who do I tell about a theft"),
        ("cosa faccio se vedo un taccheggio", "posso fermare un ladro in negozio")),
    "aggressive_customer": (
        ("a customer is shouting at me, what should I do", "how do I deal with an aggressive customer",
         "customer threatened a colleague"),
        ("un cliente mi sta urlando contro, cosa faccio", "come gestisco un cliente aggressivo")),
    "age_restricted": (
        ("do I need ID to sell knives", "age check for buying spray paint", "challenge 25, which products"),
        ("serve un documento per vendere coltelli", "controllo età per le vernici spray")),
    "lost_property": (
        ("customer left a bag in the store, what do I do", "where do we keep lost property",
         "how long do we keep lost items"),
        ("un cliente ha dimenticato una borsa", "dove teniamo gli oggetti smarriti")),
    "wheelchair_access": (
        ("do we have a wheelchair for customers", "customer needs help carrying a {product} to the car",
         "is there a hearing loop at the tills"),
        ("abbiamo una sedia a rotelle per i clienti",
         "il cliente ha bisogno di aiuto per portare un {product} in auto")),
    "pet_policy": (
        ("are dogs allowed in the store", "customer with a dog in the garden centre, ok?"),
        ("i cani possono entrare in negozio", "cliente con il cane nel reparto giardino, va bene?")),
    "parental_leave": (
        ("how much maternity leave do I get", "paternity leave, how many weeks", "can I take parental leave part time"),
        ("quanto dura il congedo di maternità", "quanti giorni di congedo di paternità ho")),
    "resignation": (
        ("how much notice do I need to give", "how do I resign", "will I get paid for unused holiday when I leave"),
        ("quanto preavviso devo dare", "come mi dimetto", "le ferie non godute vengono pagate")),
    "internal_jobs": (
        ("where are internal job vacancies posted", "can I apply for a supervisor role",
         "how do I move to another store"),
        ("dove sono le posizioni aperte interne", "posso candidarmi come capo reparto",
         "come chiedo il trasferimento in un altro negozio")),
    "wellbeing": (
        ("is there an employee assistance helpline", "who can I talk to about stress at work",
         "do we have free counselling"),
        ("c'è un servizio di supporto psicologico per i dipendenti", "con chi parlo dello stress al lavoro")),
    "bereavement": (
        ("how many days off for a funeral", "compassionate leave policy"),
        ("quanti giorni di permesso per un lutto", "permesso per funerale")),
    "sustainability": (
        ("why did we stop selling peat compost", "what is our plastic reduction target",
         "do we have a repair service to reduce waste"),
        ("perché non vendiamo più il terriccio con torba", "qual è il nostro obiettivo sulla plastica")),
    "company_values": (
        ("what are our company values", "why do we greet every customer within 30 seconds",
         "what does the customer promise say"),
        ("quali sono i valori dell'azienda", "perché dobbiamo salutare ogni cliente entro 30 secondi")),
    "recognition": (
        ("how do I nominate a colleague for employee of the month", "is there a bonus for good mystery shopper scores"),
        ("come nomino un collega come dipendente del mese", "c'è un premio per il mystery shopper")),
    "authority_discount": (
        ("can I give a discount for a scratched {product}",
         "up to how much can I discount damaged stock without a manager",
         "am I allowed to refund over {n} euro without a supervisor"),
        ("posso fare uno sconto su un {product} graffiato", "fino a quanto posso scontare senza il responsabile",
         "posso rimborsare più di {n} euro senza il capo")),
    "cleaning_spill": (
        ("there's a spill in aisle {n}, who cleans it", "where are the spill kits",
         "paint spilled on the floor, how to clean"),
        ("c'è una macchia nella corsia {n}, chi pulisce", "dove sono i kit per gli sversamenti")),
    "delivery_charge": (
        ("how much is delivery for a {product}", "is delivery free over a certain amount",
         "delivery charge to the islands"),
        ("quanto costa la consegna di un {product}", "la consegna è gratis sopra una certa cifra")),
    "gift_wrapping": (
        ("do we offer gift wrapping", "customer wants a gift receipt"),
        ("facciamo i pacchetti regalo", "il cliente vuole uno scontrino regalo")),
    "covid_mask": (
        ("do we still have to wear masks", "what if a colleague tests positive"),
        ("bisogna ancora indossare la mascherina", "cosa faccio se un collega è positivo")),
    "heating_store": (
        ("the store is freezing, who controls the heating", "air conditioning not working in the warehouse"),
        ("in negozio fa freddissimo, chi regola il riscaldamento", "l'aria condizionata del magazzino non va")),
}

PRODUCTS = ("lawn mower", "sofa", "fridge", "drill", "wardrobe", "ladder", "barbecue", "kettle", "shed", "tile cutter",
            "dishwasher", "garden chair", "rug", "lamp", "paint tin", "hedge trimmer")
PRODOTTI = ("tosaerba", "divano", "frigorifero", "trapano", "armadio", "scala", "barbecue", "bollitore", "casetta",
            "tagliapiastrelle", "lavastoviglie", "sedia da giardino", "tappeto", "lampada")
DAYS = ("on Sunday", "on Saturday", "tomorrow", "next Monday", "on bank holiday Monday")
GIORNI = ("domenica", "sabato", "domani", "lunedì prossimo", "a Ferragosto")

# The long tail: rare subjects asked through a few frames; each subject is a small topic of its own.
TAIL_FRAMES_EN = ("is there a procedure for {x}", "who handles {x} in our store", "what's the policy on {x}",
                  "where can I find info about {x}", "how do we deal with {x}", "anyone know the rules for {x}")
TAIL_FRAMES_IT = ("c'è una procedura per {x}", "chi si occupa di {x} nel negozio", "qual è la regola per {x}",
                  "dove trovo informazioni su {x}", "come gestiamo {x}", "qualcuno sa le regole per {x}")
TAIL_OBJECTS_EN = tuple(f"{adjective} {noun}" for adjective in (
    "broken", "returned", "missing", "oversized", "hazardous", "customer-owned", "second-hand", "unlabelled",
    "imported", "refrigerated", "seasonal", "discontinued", "expired", "recalled", "personalised", "borrowed")
    for noun in ("pallets", "gas bottles", "garden gnomes", "aquarium pumps", "solar panels", "chainsaws",
                 "christmas trees", "bike racks", "pool chemicals", "wood pellets"))
TAIL_OBJECTS_IT = tuple(f"{noun} {adjective}" for adjective in (
    "rotti", "resi", "mancanti", "ingombranti", "pericolosi", "usati", "senza etichetta", "importati",
    "stagionali", "fuori produzione", "scaduti", "richiamati")
    for noun in ("bancali", "bombole del gas", "nani da giardino", "pompe per acquario", "pannelli solari",
                 "motoseghe", "alberi di natale", "portabici", "prodotti per piscina", "pellet"))

GREETINGS_EN = ("hi, ", "hello ", "quick one: ", "sorry to bother, ", "hey ", "HELP ", "morning all, ")
GREETINGS_IT = ("ciao, ", "buongiorno, ", "scusate, ", "una domanda: ", "salve ")
SIGNOFFS_EN = (" thanks", " thx", " pls", "??", " asap", "...", " cheers")
SIGNOFFS_IT = (" grazie", " grazie mille", "??", " urgente", "...")
CUSTOMER_EN = (" - customer is waiting at the till", ", customer in front of me", " (customer on the phone)",
               ", got a customer here")
CUSTOMER_IT = (" - il cliente aspetta in cassa", ", ho il cliente davanti", " (cliente al telefono)")
FIRST_NAMES = ("Sarah", "Tom", "Giulia", "Marco", "Priya", "James", "Francesca", "Luca", "Aisha", "Daniel", "Chiara",
               "Olivia", "Matteo", "Hannah", "Raj", "Elena")
LAST_NAMES = ("Jones", "Baker", "Rossi", "Bianchi", "Patel", "Evans", "Romano", "Colombo", "Khan", "Walsh", "Ricci",
              "Murphy", "Greco", "Taylor")
PERSONAL_EN = ("customer {first} {last} is asking", "for my colleague {first} {last}", "email {email}",
               "customer's number is {phone}", "Mrs {last} wants to know")
PERSONAL_IT = ("la cliente {first} {last} chiede", "per il collega {first} {last}", "mail {email}",
               "il numero del cliente è {phone}", "la signora {last} vuole sapere")


@dataclass(frozen=True)
class RawGap:
    """One generated gap before redaction: its question as typed, its topic and language."""

    question: str
    topic: str
    language: str
    customer_waiting: bool


class GapQuestions:
    """Draws staff questions with the repeat distribution described in the module docstring (seeded)."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        tail = [(f"tail-en-{obj}", "en", obj) for obj in TAIL_OBJECTS_EN]
        tail += [(f"tail-it-{obj}", "it", obj) for obj in TAIL_OBJECTS_IT]
        self._rng.shuffle(tail)
        self._tail = tail
        self._topics = list(TOPICS)
        self._rng.shuffle(self._topics)  # which topic is the most common is itself random
        self._topic_weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(self._topics))]
        self._tail_weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(self._tail))]
        self._asked: list[RawGap] = []

    def draw(self) -> RawGap:
        rng = self._rng
        if self._asked and rng.random() < EXACT_REPEAT_SHARE:
            gap = rng.choice(self._asked)
        elif rng.random() < LONG_TAIL_SHARE:
            gap = self._tail_gap()
        else:
            gap = self._topic_gap()
        self._asked.append(gap)
        return gap

    def _topic_gap(self) -> RawGap:
        rng = self._rng
        topic = rng.choices(self._topics, weights=self._topic_weights)[0]
        english, italian = TOPICS[topic]
        language = "it" if rng.random() < ITALIAN_SHARE else "en"
        text = rng.choice(italian if language == "it" else english)
        text = text.format(product=rng.choice(PRODOTTI if language == "it" else PRODUCTS), n=rng.choice(
            (2, 3, 4, 5, 6, 8, 10, 12, 20, 50, 100, 150, 200, 404, 503)), day=rng.choice(
            GIORNI if language == "it" else DAYS), store=rng.randrange(1, 400))
        return self._dressed(text, topic, language)

    def _tail_gap(self) -> RawGap:
        rng = self._rng
        topic, language, subject = rng.choices(self._tail, weights=self._tail_weights)[0]
        frame = rng.choice(TAIL_FRAMES_IT if language == "it" else TAIL_FRAMES_EN)
        return self._dressed(frame.format(x=subject), topic, language)

    def _dressed(self, text: str, topic: str, language: str) -> RawGap:
        """The way staff type: typos, greeting, sign-off, a waiting customer, personal data, casing."""
        rng = self._rng
        italian = language == "it"
        words = text.split()
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
            position = rng.randrange(len(words))
            words[position] = _typo(words[position], rng)
        text = " ".join(words)
        customer = rng.random() < 0.2
        if customer:
            text += rng.choice(CUSTOMER_IT if italian else CUSTOMER_EN)
        if rng.random() < PERSONAL_DATA_SHARE:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            planted = rng.choice(PERSONAL_IT if italian else PERSONAL_EN).format(
                first=first, last=last, email=f"{first}.{last}{rng.randrange(100)}@example.com".lower(),
                phone=(f"07700 900{rng.randrange(1000):03d}" if not italian
                       else f"+39 347 {rng.randrange(10**6, 10**7)}"))
            text = f"{planted}: {text}" if rng.random() < 0.5 else f"{text}, {planted}"
        if rng.random() < 0.3:
            text = rng.choice(GREETINGS_IT if italian else GREETINGS_EN) + text
        if rng.random() < 0.3:
            text += rng.choice(SIGNOFFS_IT if italian else SIGNOFFS_EN)
        elif rng.random() < 0.6:
            text += "?"
        casing = rng.random()
        if casing < 0.1:
            text = text.lower()
        elif casing < 0.5:
            text = text[:1].upper() + text[1:]
        return RawGap(text, topic, language, customer)


def _typo(word: str, rng: random.Random) -> str:
    """A dropped, swapped or doubled letter (words of four letters or more)."""
    if len(word) < 4 or not word.isalpha():
        return word
    at = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1:]
    if kind == 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return word[:at] + word[at] + word[at:]
