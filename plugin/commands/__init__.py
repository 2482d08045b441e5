"""Subcommands of ``foleyline`` that run on the client side: they read timelines and talk to a
server over gRPC (see ``foleyline.cli.COMMANDS``)."""
