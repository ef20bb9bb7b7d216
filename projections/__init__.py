"""Projections: one module per question, pure functions from facts to rows.

Each takes (facts, as_of, known_at) and returns plain rows (dicts) that the CLI
formats. They read facts, never the write model's stored state; where the
meaning of a fact is the same as in a decision (a period, an arrears amount)
they fold it with the same pure ``ledger`` fold, so the two can never disagree.
"""
