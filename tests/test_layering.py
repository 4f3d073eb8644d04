"""Data flows one way: connectors -> workers -> service; sandbox plays the vendor alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "connectors": {"workers", "service", "sandbox", "training"},
    "workers": {"service", "sandbox", "training"},
    "sandbox": {"connectors", "workers", "service", "training"},
    "service": {"training"},  # training is not packaged: nothing installed may import it
}


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imports_scanner_sees_both_import_forms(tmp_path):
    """The scanner catches `import x.y` and `from x import y` inside functions too."""
    module = tmp_path / "m.py"
    module.write_text("import service.api\ndef f():\n    from workers import strain\n")
    assert imported_packages(module) == {"service", "workers"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layering(package):
    """No module in a lower layer imports a higher one."""
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_packages(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)
