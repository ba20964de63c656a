"""The echo bots' answer: the smallest Universal Actions card, the same kind as the bot's receipt."""

TINY_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "ok"}],
}
