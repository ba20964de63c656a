"""The Microsoft 365 Agents SDK edge (BOT_SDK=agents): the only importer of `microsoft_agents`."""
