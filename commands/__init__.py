"""Commands: one input model and one short handler per command.

Data flows one way: input -> model (syntax) -> handler: load -> decide (pure,
in ``ledger``) -> append. ``execute`` is the only way a command is run.
"""
