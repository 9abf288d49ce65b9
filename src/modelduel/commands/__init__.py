"""One module per command, each exposing `add_parser(sub)` and `run(args)` (see `cli.COMMANDS`).

Every module is imported to build the parser, so each keeps its heavy imports inside `run`.
"""
