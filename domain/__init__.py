"""Pure domain: models, legal deadline policy and chain configuration. No I/O, no Temporal."""
