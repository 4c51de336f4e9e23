"""Stage 10: presentation. Charts (matplotlib) drawn from result objects; no statistics here."""
