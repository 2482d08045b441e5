"""Maps the product's top-level folders onto import packages (see DESIGN.md):
server/ -> foleyline.server, plugin/ -> foleyline.plugin, desktop/ -> foleyline.desktop,
protos/ -> foleyline.protos, and the DaVinci Resolve menu script packaging/resolve/ ->
foleyline.resolve_menu (`foleyline resolve install` copies it from there). Everything else
is in pyproject.toml."""

from setuptools import find_packages, setup

PARTS = {
    "foleyline": "foleyline",
    "foleyline.server": "server",
    "foleyline.plugin": "plugin",
    "foleyline.desktop": "desktop",
    "foleyline.protos": "protos",
    "foleyline.resolve_menu": "packaging/resolve",
}

packages: list[str] = []
package_dir: dict[str, str] = {}
for package, folder in PARTS.items():
    package_dir[package] = folder
    packages.append(package)
    for sub in find_packages(folder):
        packages.append(f"{package}.{sub}")
        package_dir[f"{package}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "foleyline.protos": ["foleyline/v1/*.proto"],
        "foleyline.server.engines.procedural": ["*.tsv", "embeddings/*.npz"],
        "foleyline.server.notes": ["*.tsv"],
    },
)
