"""Text files are UTF-8 whatever the machine's locale: a token, a model's config.json or a
licence list written on one machine reads the same on a machine whose locale is ASCII (C with
UTF-8 mode off) or Latin-1, where Python's default text encoding is not UTF-8."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from foleyline import config

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("foleyline", "server", "plugin", "desktop")


def ascii_locale_env() -> dict[str, str]:
    """The environment of a machine whose default text encoding is ASCII: the C locale, which
    every system has, with Python's UTF-8 mode turned off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONUTF8"))}
    return {**env, "LC_ALL": "C", "PYTHONUTF8": "0"}


def test_a_token_file_with_non_ascii_characters_reads_in_an_ascii_locale():
    token = "fóley-line-ünïcode-token-" + "x" * 24
    path = config.token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    probe = "import locale; from foleyline import config; print(locale.getpreferredencoding(False)); print(ascii(config.ensure_token()))"
    out = subprocess.run([sys.executable, "-c", probe], env=ascii_locale_env(), capture_output=True,
                         encoding="utf-8", check=True, timeout=120).stdout.splitlines()
    assert out[0].lower() in ("ascii", "ansi_x3.4-1968")  # the premise: the default is not UTF-8
    assert out[1] == ascii(token)


def _text_io_without_encoding(tree: ast.AST) -> list[int]:
    """Lines that open, read or write text (or run a subprocess in text mode) with the locale's
    encoding: no ``encoding=`` and no binary mode."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords}
        if "encoding" in keywords:
            continue
        if name in ("read_text", "write_text"):
            lines.append(node.lineno)
        elif name in ("run", "Popen", "check_output", "check_call", "call") and any(
                isinstance(keywords.get(k), ast.Constant) and keywords[k].value for k in ("text", "universal_newlines")):
            lines.append(node.lineno)
        elif name in ("open", "fdopen"):
            owner = None if isinstance(func, ast.Name) else getattr(func.value, "id", "")
            if owner not in (None, "os", "io", "builtins") or (owner == "os" and name == "open"):
                continue  # av.open, aaf2.open, a widget's open(), os.open's descriptors: not text files
            mode = keywords.get("mode", node.args[1] if len(node.args) > 1 else ast.Constant("r"))
            if not (isinstance(mode, ast.Constant) and "b" in str(mode.value)):
                lines.append(node.lineno)
    return lines


def test_the_product_names_utf_8_wherever_it_reads_or_writes_text():
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(ROOT)}:{line}" for line in _text_io_without_encoding(tree)]
    assert not found, "text read or written in the locale's encoding (name encoding=\"utf-8\"): " + ", ".join(found)


def test_the_check_finds_text_io_that_leaves_the_encoding_to_the_locale():
    code = ("path.read_text()\nopen(p)\nopen(p, 'w')\nos.fdopen(fd, 'w')\nsubprocess.run(c, text=True)\n"
            "open(p, 'rb')\nav.open(p)\nos.open(p, 1)\nself.dialog.open()\npath.read_text(encoding='utf-8')\nopen(p, encoding='utf-8')\n")
    assert _text_io_without_encoding(ast.parse(code)) == [1, 2, 3, 4, 5]
