"""The import-linter contract (run by `make lint`) names every package, kernel to shell."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCT = {"tests"}


def test_the_layers_contract_names_every_package_and_allows_no_exception():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_PRODUCT
    }
    (contract,) = config["contracts"]
    assert contract["type"] == "layers"
    assert set(contract["layers"]) == set(config["root_packages"]) == packages
    assert contract["layers"][0] == "portal" and contract["layers"][-1] == "mentorship"
    assert "ignore_imports" not in contract
