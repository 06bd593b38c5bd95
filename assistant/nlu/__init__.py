"""Natural-language understanding: intents and entities from the message text."""
