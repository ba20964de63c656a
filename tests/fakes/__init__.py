"""Fakes of the services the bot talks to (Bot Connector), shared by tests and benchmarks."""
