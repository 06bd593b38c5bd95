"""The English and Italian sentences of order answers: words staff can repeat to the customer as they are."""

from __future__ import annotations

from assistant.orders.model import Fulfilment, OrderState, ReturnState

LANGUAGES = ("en", "it")

STATUS_WORDS: dict[OrderState, dict[str, str]] = {
    OrderState.PLACED: {"en": "placed, waiting for the payment to be confirmed",
                        "it": "ricevuto, in attesa della conferma del pagamento"},
    OrderState.PAID: {"en": "paid and waiting to be picked", "it": "pagato e in attesa di preparazione"},
    OrderState.PICKING: {"en": "being picked and packed", "it": "in preparazione"},
    OrderState.READY_FOR_COLLECTION: {"en": "ready for collection", "it": "pronto per il ritiro"},
    OrderState.SHIPPED: {"en": "on its way with the carrier", "it": "spedito e affidato al corriere"},
    OrderState.OUT_FOR_DELIVERY: {"en": "out for delivery", "it": "in consegna"},
    OrderState.DELIVERED: {"en": "delivered", "it": "consegnato"},
    OrderState.DELAYED: {"en": "delayed", "it": "in ritardo"},
    OrderState.CANCELLED: {"en": "cancelled", "it": "annullato"},
    OrderState.RETURNED: {"en": "returned", "it": "reso"},
    OrderState.REFUNDED: {"en": "refunded", "it": "rimborsato"},
}

RETURN_WORDS: dict[ReturnState, dict[str, str]] = {
    ReturnState.RETURN_REQUESTED: {"en": "a return has been requested", "it": "è stato richiesto un reso"},
    ReturnState.RETURN_RECEIVED: {"en": "the return has arrived at our warehouse",
                                  "it": "il reso è arrivato al nostro magazzino"},
    ReturnState.REFUND_PENDING: {"en": "the refund is being processed (3 to 5 working days)",
                                 "it": "il rimborso è in lavorazione (da 3 a 5 giorni lavorativi)"},
    ReturnState.REFUNDED: {"en": "the refund has been paid to the original payment method",
                           "it": "il rimborso è stato accreditato sul metodo di pagamento originale"},
}

FULFILMENT_WORDS: dict[Fulfilment, dict[str, str]] = {
    Fulfilment.HOME_DELIVERY: {"en": "home delivery", "it": "consegna a domicilio"},
    Fulfilment.CLICK_AND_COLLECT: {"en": "click-and-collect", "it": "ritiro in negozio"},
}

LABELS = {
    "status": {"en": "Status", "it": "Stato"},
    "updated": {"en": "Last update", "it": "Ultimo aggiornamento"},
    "fulfilment": {"en": "Fulfilment", "it": "Modalità"},
    "carrier": {"en": "Carrier", "it": "Corriere"},
    "tracking": {"en": "Tracking", "it": "Tracciamento"},
    "eta": {"en": "Expected delivery", "it": "Consegna prevista"},
    "collect_at": {"en": "Collect at", "it": "Ritiro presso"},
    "collect_by": {"en": "Collect by", "it": "Ritirare entro"},
    "items": {"en": "Items", "it": "Articoli"},
    "total": {"en": "Total", "it": "Totale"},
    "return": {"en": "Return / refund", "it": "Reso / rimborso"},
    "customer": {"en": "Customer (check)", "it": "Cliente (verifica)"},
    "next": {"en": "Tell the customer", "it": "Cosa dire al cliente"},
    "track": {"en": "Track the parcel", "it": "Traccia la spedizione"},
}

HEADLINE = {"en": "Order {number} is **{status}**.", "it": "L'ordine {number} è **{status}**."}
UPDATED = {"en": "Last update: {when}.", "it": "Ultimo aggiornamento: {when}."}
CARRIER_TRACKING = {"en": "Carrier: {carrier}, tracking number {tracking}.",
                    "it": "Corriere: {carrier}, numero di tracciamento {tracking}."}
CARRIER_ONLY = {"en": "Carrier: {carrier}.", "it": "Corriere: {carrier}."}
ETA = {"en": "Expected delivery: {date}.", "it": "Consegna prevista: {date}."}
NEW_ETA = {"en": "New expected delivery: {date}.", "it": "Nuova data di consegna prevista: {date}."}
COLLECTION = {"en": "To collect at {store} by {date}.", "it": "Da ritirare presso {store} entro {date}."}
COLLECTION_STORE = {"en": "To collect at {store}.", "it": "Da ritirare presso {store}."}
ITEMS_TOTAL = {"en": "{count} {noun}, total {total}.", "it": "{count} {noun}, totale {total}."}
ITEMS_ONLY = {"en": "{count} {noun}.", "it": "{count} {noun}."}
ITEM_NOUN = {"en": ("item", "items"), "it": ("articolo", "articoli")}
RETURN = {"en": "Return and refund: {state}.", "it": "Reso e rimborso: {state}."}
NEXT = {"en": "**Tell the customer:** {advice}", "it": "**Cosa dire al cliente:** {advice}"}
SECURITY = {
    "en": "Before sharing more than the status, confirm two of: the delivery postcode, the email on the order, the "
          "last 4 digits of the card.",
    "it": "Prima di dare dettagli oltre allo stato, verifica due tra: CAP di consegna, email dell'ordine, ultime 4 "
          "cifre della carta.",
}

SOON = {"en": "soon", "it": "a breve"}
THE_STORE = {"en": "the store they chose", "it": "il negozio scelto"}

ADVICE: dict[OrderState, dict[str, str]] = {
    OrderState.PLACED: {
        "en": "we have the order and are confirming the payment; this is a routine check that usually clears "
              "within 4 working hours.",
        "it": "abbiamo ricevuto l'ordine e stiamo confermando il pagamento; è un controllo di routine che di solito "
              "si chiude entro 4 ore lavorative.",
    },
    OrderState.PAID: {
        "en": "the order is paid and will be picked shortly; they will get an email when it leaves us.",
        "it": "l'ordine è pagato e sarà preparato a breve; riceverà un'email quando partirà.",
    },
    OrderState.PICKING: {
        "en": "the order is being prepared and should be on its way by {date}; it can no longer be cancelled, but "
              "they can refuse the delivery or return the items.",
        "it": "l'ordine è in preparazione e dovrebbe partire entro {date}; non si può più annullare, ma può rifiutare "
              "la consegna o restituire gli articoli.",
    },
    OrderState.READY_FOR_COLLECTION: {
        "en": "it is waiting for them at {store} until {date}; they need the order number and the 6-digit "
              "collection code from the text message (and photo ID for age-restricted items).",
        "it": "l'ordine è disponibile presso {store} fino a {date}; servono il numero d'ordine e il codice di ritiro "
              "di 6 cifre ricevuto via SMS (e un documento per gli articoli con limite d'età).",
    },
    OrderState.SHIPPED: {
        "en": "it is on its way and should arrive by {date}; they can follow it with the tracking number.",
        "it": "l'ordine è in viaggio e dovrebbe arrivare entro {date}; può seguirlo con il numero di tracciamento.",
    },
    OrderState.OUT_FOR_DELIVERY: {
        "en": "it is on the van today; the delivery window is in the carrier's text message.",
        "it": "l'ordine è sul furgone oggi; la fascia oraria è nell'SMS del corriere.",
    },
    OrderState.DELIVERED: {
        "en": "the carrier shows it as delivered; if they cannot find it, ask them to check with neighbours and "
              "their safe place, then follow the delivery page for a missing parcel.",
        "it": "per il corriere l'ordine risulta consegnato; se non lo trova, chiedi di verificare con i vicini e nel "
              "luogo sicuro indicato, poi segui la pagina sulle consegne per un pacco mancante.",
    },
    OrderState.DELAYED: {
        "en": "apologise for the delay. The new expected date is {date}. They can wait for it, or, if it no longer "
              "suits them, refuse the delivery or return it for a full refund; offer to check again closer to the "
              "date.",
        "it": "scusati per il ritardo. La nuova data prevista è {date}. Può attendere oppure, se non va più bene, "
              "rifiutare la consegna o restituire l'ordine con rimborso completo; offriti di ricontrollare più "
              "vicino alla data.",
    },
    OrderState.CANCELLED: {
        "en": "the order is cancelled; any payment is refunded to the original payment method within 3 to 5 "
              "working days.",
        "it": "l'ordine è annullato; l'eventuale pagamento viene rimborsato sul metodo originale entro 3-5 giorni "
              "lavorativi.",
    },
    OrderState.RETURNED: {
        "en": "we have the return; the refund follows within 3 to 5 working days of it arriving.",
        "it": "abbiamo ricevuto il reso; il rimborso segue entro 3-5 giorni lavorativi dall'arrivo.",
    },
    OrderState.REFUNDED: {
        "en": "the refund has been paid; it can take a few days to show on their statement, depending on the bank.",
        "it": "il rimborso è stato effettuato; può richiedere qualche giorno per comparire sull'estratto conto, a "
              "seconda della banca.",
    },
}

ASK_NUMBER = {
    "en": "Which order? Please send the order number (it looks like {example}).",
    "it": "Quale ordine? Inviami il numero d'ordine (ha questo formato: {example}).",
}
OFFER_LOOK_UP = {
    "en": "If this is about a particular order, send me its number (it looks like {example}) and I'll look it up.",
    "it": "Se si tratta di un ordine in particolare, inviami il suo numero (ha questo formato: {example}) e lo "
          "controllo.",
}
WHICH_ONE = {
    "en": "I can see {count} order numbers: {numbers}. I look up at most {limit} at a time; which ones should I "
          "check?",
    "it": "Vedo {count} numeri d'ordine: {numbers}. Ne controllo al massimo {limit} alla volta: quali verifico?",
}
MALFORMED = {
    "en": "{number} doesn't look like an order number: order numbers are {example_format}, for example {example}. "
          "Please check the number with the customer (it is in the subject of the confirmation email).",
    "it": "{number} non sembra un numero d'ordine: il formato è {example_format}, per esempio {example}. Verifica il "
          "numero con il cliente (è nell'oggetto dell'email di conferma).",
}
NOT_CONNECTED = {
    "en": "I can't look orders up here: no order system is connected. Please check {number} in the order system.",
    "it": "Qui non posso cercare gli ordini: nessun sistema ordini è collegato. Controlla {number} nel sistema ordini.",
}
NOT_FOUND = {
    "en": "I couldn't find an order {number}. Please check the number with the customer (format {example}).",
    "it": "Non trovo l'ordine {number}. Verifica il numero con il cliente (formato {example}).",
}
UNAVAILABLE = {
    "en": "The order system isn't answering right now, so I can't check {number}. Please try again in a few minutes, "
          "or look it up in OrderDesk.",
    "it": "Il sistema ordini non risponde in questo momento: non posso controllare {number}. Riprova tra qualche "
          "minuto o cercalo in OrderDesk.",
}


def pick(table: dict[str, str], language: str) -> str:
    """The entry for `language`, English when there is none."""
    return table.get(language) or table["en"]


def item_noun(count: int, language: str) -> str:
    singular, plural = ITEM_NOUN.get(language, ITEM_NOUN["en"])
    return singular if count == 1 else plural
