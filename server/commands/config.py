"""``foleyline config``: the settings in effect and where each came from.

    foleyline config show      every setting: value, and command line / environment / file / default
    foleyline config path      the config file's path (it need not exist)
    foleyline config table     the Markdown table of every setting (docs/configuration.md holds it)
"""

from __future__ import annotations

import argparse
import json

from foleyline import config

EXAMPLES = (
    "foleyline config show",
    "foleyline config show --json",
    "FOLEYLINE_ADDRESS=0.0.0.0:50551 foleyline config show    # an environment variable wins over the file",
    "$EDITOR \"$(foleyline config path)\"",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="show", choices=("show", "path", "table"),
                        help="show (default): the settings in effect; path: the config file; table: every setting "
                             "documented, in Markdown")
    parser.add_argument("--json", action="store_true", help="show: print JSON")


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        print(config.config_file())
        return 0
    if args.action == "table":
        print(config.settings_table(), end="")
        return 0
    rows = [(setting, config.shown(setting, current), source) for setting, current, source in config.effective()]
    if args.json:
        print(json.dumps({s.key: {"value": shown, "from": source, "env": s.env} for s, shown, source in rows}, indent=2))
        return 0
    exists = "" if config.config_file().exists() else " (not there: every value comes from elsewhere)"
    print(f"config file: {config.config_file()}{exists}")
    width = max(len(s.key) for s, _, _ in rows)
    for setting, shown, source in rows:
        print(f"{setting.key:<{width}}  {shown}    [{source}]")
    return 0
