"""``foleyline models list | pull NAME | verify [NAME] | parity --config C --weights W --io IO``.

``pull`` is the only place Foleyline downloads weights, and only when the user runs it.
``parity`` compares an implementation with reference fixtures (see
``foleyline.server.engines.parity``) and exits 1 when any output is over tolerance.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from foleyline.errors import InvalidInput, PermissionDenied
from foleyline.server.models import licence
from foleyline.server.models.packages import all_packages, dependencies, find_package, package_dir
from foleyline.server.models.pull import pull_package, verify_package
from foleyline.server.notes.drafters import describe

__all__ = ["add_arguments", "run"]


EXAMPLES = (
    'foleyline models list',
    "foleyline models pull mmaudio-large-44k-v2   # shows the weights' licence first",
    'foleyline models verify',
    'foleyline models parity --config cfg.json --weights w.safetensors --io io.safetensors',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="the model packages, their licences and whether they are installed")
    pull = sub.add_parser("pull", help="download a package (and the packages it needs) into the model folder")
    pull.add_argument("name", help="package name, e.g. mmaudio-small-16k (see `foleyline models list`)")
    pull.add_argument("--accept-licence", "--accept-license", action="store_true", dest="accept_licence",
                      help="accept the package's licence (asked once, before the first pull)")
    pull.add_argument("--force", action="store_true", help="download again even when files are present")
    verify = sub.add_parser("verify", help="check installed files against their checksums")
    verify.add_argument("name", nargs="?", help="one package (default: every installed package)")
    parity = sub.add_parser("parity", help="compare an implementation with a reference fixture")
    parity.add_argument("--config", required=True, type=Path, help="fixture config JSON")
    parity.add_argument("--weights", action="append", type=Path, default=[],
                        help="weights .safetensors (repeat for VAE + vocoder; default: the files the config names)")
    parity.add_argument("--io", required=True, type=Path, help="fixture io .safetensors")


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list()
    if args.action == "pull":
        return _pull(args.name, accept=args.accept_licence, force=args.force)
    if args.action == "verify":
        return _verify(args.name)
    if args.action == "parity":
        return _parity(args.config, args.weights, args.io)
    raise InvalidInput(f"unknown action {args.action!r}")


def _list() -> int:
    for package in sorted(all_packages().values(), key=lambda p: p.name):
        folder = package_dir(package)
        present = sum((folder / f.local_name).is_file() for f in package.files)
        state = "installed" if present == len(package.files) else f"{present}/{len(package.files)} files"
        accepted = "accepted" if licence.is_accepted(package) else "not accepted"
        print(f"{package.name:<24} {package.engine:<11} {state:<12} licence {package.licence_id} ({accepted})")
        print(f"    {package.description}")
        deps = dependencies(package.name)
        if deps:
            print(f"    needs: {', '.join(deps)}")
    headline, details = describe()
    print(f"notes are drafted by {headline}")
    for line in details:
        print(f"    {line}")
    return 0


def _pull(name: str, *, accept: bool, force: bool) -> int:
    names = [name, *dependencies(name)]
    packages = [find_package(n) for n in names]  # fail on a bad name before downloading anything
    unaccepted = [p for p in packages if not licence.is_accepted(p)]
    if unaccepted and not accept:
        terms = " ".join(f"[{p.name}: {p.licence_id}] {p.licence}" for p in unaccepted)
        raise PermissionDenied(
            f"licences to accept before pulling {name}: {terms} Read them, then run "
            f"`foleyline models pull {name} --accept-licence` to accept them once."
        )
    for package in packages:
        print(f"{package.name}: {package.description}")
        print(f"{package.name}: licence {package.licence_id}: {package.licence}")
        folder = pull_package(package, accept_licence=accept, force=force)
        print(f"{package.name}: ready in {folder}")
    return 0


def _verify(name: str | None) -> int:
    if name:
        packages = [find_package(name)]
    else:
        packages = [p for p in all_packages().values() if package_dir(p).is_dir()]
        if not packages:
            print("no model packages are installed; see `foleyline models list`")
            return 0
    bad = 0
    for package in packages:
        for status in verify_package(package):
            if status.state in ("missing", "corrupt"):
                bad += 1
            detail = f" ({status.detail})" if status.detail else ""
            print(f"{package.name}/{status.local_name}: {status.state}{detail}")
    return 1 if bad else 0


def _parity(config: Path, weights: list[Path], io: Path) -> int:
    from foleyline.server.engines.parity import run_parity  # deferred: torch is heavy, needed only here

    result = run_parity(config, weights, io)
    print(result.format())
    return 0 if result.passed else 1
