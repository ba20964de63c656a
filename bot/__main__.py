"""`python -m bot` is `cqcbot`."""

from bot.cli.main import main

main()
