"""Architecture rules checked in a fresh interpreter: the domain never imports Textual or torch at import."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import interviewer

DOMAIN_PREFIXES_EXCLUDED = ("interviewer.tui",)


def domain_modules() -> list[str]:
    """Every interviewer module outside the TUI package."""
    names = []
    for module in pkgutil.walk_packages(interviewer.__path__, prefix="interviewer."):
        if module.name.startswith(DOMAIN_PREFIXES_EXCLUDED) or module.name.endswith("__main__"):
            continue
        names.append(module.name)
    return sorted(names)


def imported_after(modules: list[str]) -> set[str]:
    """The top-level packages in sys.modules after importing the modules in a new interpreter."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(completed.stdout.strip().splitlines()[-1]))


@pytest.mark.model  # imports every domain module, torch included (about 5 s); test_layers checks the same statically
def test_domain_modules_never_import_textual() -> None:
    modules = domain_modules()
    assert "interviewer.bank.loader" in modules and "interviewer.cli" in modules
    loaded = imported_after(modules)
    assert "textual" not in loaded


def test_importing_the_cli_loads_no_model_library() -> None:
    loaded = imported_after(["interviewer.cli", "interviewer.config", "interviewer.bank"])
    for heavy in ("torch", "sentence_transformers", "transformers", "textual", "openai"):
        assert heavy not in loaded, heavy
