"""Stage 11: presentation. Charts (matplotlib) drawn from result objects; no statistics here."""
