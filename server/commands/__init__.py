"""Subcommands of ``foleyline`` that run on the server side (see ``foleyline.cli.COMMANDS``)."""
