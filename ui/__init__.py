"""The command line's presentation: the message catalogue, tables, labels."""
