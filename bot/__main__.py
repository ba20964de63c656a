"""`python -m bot` is `cqcbot`."""

from bot.cli import main

main()
