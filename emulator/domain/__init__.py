"""The pure model of a Front workspace: no HTTP, no Starlette."""
