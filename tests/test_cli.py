"""The ``foleyline`` command: every subcommand sits beside the part it runs, and the base
package that everything imports reaches none of them."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from foleyline import cli
from foleyline.server.threads import usable_cores
from fresh_imports import imported_after

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("foleyline.server", "foleyline.plugin", "foleyline.desktop")


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_base_package_imports_no_part_of_the_product() -> None:
    reaching = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported_names(path) if name.startswith(PARTS))
        for path in sorted((ROOT / "foleyline").rglob("*.py"))
    }
    assert {path: names for path, names in reaching.items() if names} == {}


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_each_subcommand_lives_in_the_part_it_runs(name: str) -> None:
    module_name = cli.COMMANDS[name][0]
    assert module_name.startswith(tuple(f"{part}.commands." for part in PARTS)), module_name
    module = importlib.import_module(module_name)
    assert callable(module.add_arguments) and callable(module.run)


def test_help_imports_no_subcommand() -> None:
    code = """
        from foleyline import cli
        try:
            cli.main(['--help'])
        except SystemExit:
            pass
    """
    assert imported_after(code, (*PARTS, "torch", "grpc", "PyQt6"), timeout=60) == []


def test_generate_and_its_in_process_server_import_nothing_only_some_runs_need() -> None:
    # neural engines only (torch, ...); the worker that signs (c2pa); making the local CA
    # (cryptography); editing the config file (tomlkit)
    code = "import foleyline.plugin.commands.generate, foleyline.server.app"
    watched = ("torch", "transformers", "diffusers", "c2pa", "cryptography", "tomlkit")
    assert imported_after(code, watched, timeout=120) == []


def test_the_script_runs_main_then_leaves_what_was_loaded_to_the_os() -> None:
    code = """
        import gc, sys
        from foleyline import cli
        cli.main(["completion", "bash"])
        untouched = gc.isenabled() and gc.get_freeze_count() == 0  # main: for processes that go on
        sys.argv = ["foleyline", "completion", "bash"]
        code = cli.console()
        print(code, untouched, gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "0 True True True", done.stderr
    assert "complete" in done.stdout  # the command itself ran


@pytest.mark.parametrize("given, started", [({}, 1), ({"OMP_NUM_THREADS": "2"}, 2), ({"OPENBLAS_NUM_THREADS": "2"}, 2)])
def test_the_script_starts_the_blas_pools_with_one_thread_unless_the_environment_says(given, started) -> None:
    # (one thread each until a server gives its workers their share: server.threads grows them)
    code = """
        import os, sys
        from foleyline import cli
        sys.argv = ["foleyline", "completion", "bash"]
        cli.console()
        import numpy
        from threadpoolctl import threadpool_info
        print(sorted({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}), file=sys.stderr)
    """
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60,
                          env={**env, **given})
    # OpenBLAS never starts more threads than the cores the process may run on (one, under taskset -c 0)
    assert done.stderr.strip().splitlines()[-1] == f"[{min(started, usable_cores())}]", done.stderr


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_each_command_help_lists_its_choices_and_ends_with_examples(name: str) -> None:
    module = importlib.import_module(cli.COMMANDS[name][0])
    text = cli.command_parser(name, module).format_help()
    assert "\nexamples:\n" in text and text.rstrip().splitlines()[-1].strip().startswith(("foleyline", "FOLEYLINE_", "$", "source"))


def test_generate_with_an_engine_whose_weights_are_missing_stops_before_any_work(tmp_path, capsys) -> None:
    missing_timeline = tmp_path / "never_read.otio"  # the engine is checked before the timeline is read
    code = cli.main(["generate", str(missing_timeline), "-o", str(tmp_path / "out"), "--engine", "mmaudio"])
    err = capsys.readouterr().err
    assert code == 2 and "mmaudio" in err and "foleyline models pull mmaudio-" in err
    assert not (tmp_path / "out").exists()


def test_generate_refuses_an_unknown_format_or_colour_before_any_work(tmp_path, capsys) -> None:
    for extra in (["--format", "mp4"], ["--marker-color", "tartan"]):
        with pytest.raises(SystemExit) as exited:
            cli.main(["generate", str(tmp_path / "cut.otio"), "-o", str(tmp_path / "out"), *extra])
        assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "otio, otioz, fcp7" in err.replace("'", "") and "RED" in err


def test_bash_completion_knows_commands_options_and_choices(capsys) -> None:
    assert cli.main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    probe = ('source /dev/stdin; COMP_WORDS=(foleyline generate --format ""); COMP_CWORD=3; _foleyline; '
             'echo "${COMPREPLY[*]}"; COMP_WORDS=(foleyline con); COMP_CWORD=1; _foleyline; echo "${COMPREPLY[*]}"')
    done = subprocess.run(["bash", "-c", probe], input=script, capture_output=True, text=True, timeout=30, check=True)
    formats, commands = done.stdout.splitlines()
    from foleyline.plugin.timeline.formats import FORMATS

    assert formats.split() == list(FORMATS)
    assert commands.split() == ["conform", "config"]
    assert cli.main(["completion", "zsh"]) == 0
    assert "bashcompinit" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["serve", "--port", "8000"], ["generate", "clip.mov", "-o", "x", "--take", "2"],
                                  ["notes", "check", "--stri", "n.txt"]])
def test_an_option_is_its_whole_name(argv, capsys):
    # "serve --port 8000" was read as --port-file: the port written to a file named 8000, the
    # server listening where it always had.
    with pytest.raises(SystemExit) as refused:
        cli.main(argv)
    assert refused.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
