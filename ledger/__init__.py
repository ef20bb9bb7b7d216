"""The membership ledger's domain: events, rules, aggregates and the store.

This package knows nothing of the CLI, the command models or the projections;
they import it, never the other way round.
"""
