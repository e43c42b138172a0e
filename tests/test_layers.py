"""The direction of dependencies, enforced: each module imports only from its own layer or the layers
below it (docs/architecture.md).  Late imports inside functions and TYPE_CHECKING imports count too."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first.  Data flows source → provider → analytics → charts → publish → run; a source maps its
# answer through its provider, so in imports providers (and the config that loads them) sit below sources.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", (r"generator\.core(\..*)?",)),
    ("sidecar", (r"sidecar(\..*)?",)),        # its own component on the public/ format; the command starts it
    ("providers", (r"providers(\..*)?",)),
    ("config", (r"generator\.(config|mapping|tariff)",)),
    ("sources", (r"generator\.sources(\..*)?",)),
    ("analytics", (r"generator\.analytics(\..*)?",)),
    ("charts", (r"generator\.charts(\..*)?", r"generator\.i18n")),
    ("publish", (r"generator\.(writer|manifest|status|site|prerender|archive|lock)",)),
    ("run", (r"generator\.(build|backoff|memory|scheduler|cli|doctor|export|preflight|nginx_config|check_serving|notify|notify_channels)", r"generator")),
]
SIDECAR_MAY_IMPORT = (r"sidecar(\..*)?", r"generator\.core\.public_format")


def layer_of(module: str) -> int:
    for rank, (_, patterns) in enumerate(LAYERS):
        if any(re.fullmatch(p, module) for p in patterns):
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in tests/test_layers.py")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module of ours `path` imports (the package of a `from package import name` counts as the
    module when `name` is not a module itself)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                    (ROOT / Path(*candidate.split(".")) / "__init__.py").exists()
                found.add(candidate if is_module else node.module)
    return {m for m in found if m.split(".")[0] in ("generator", "providers", "sidecar")}


PRODUCT = sorted(p for top in ("generator", "providers") for p in (ROOT / top).rglob("*.py"))
SIDECAR = sorted((ROOT / "sidecar").rglob("*.py"))


@pytest.mark.parametrize("path", PRODUCT, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_own_layer_and_the_layers_below(path):
    mine = layer_of(module_name(path))
    for imported in imports(path):
        assert layer_of(imported) <= mine, (
            f"{module_name(path)} ({LAYERS[mine][0]}) imports {imported} ({LAYERS[layer_of(imported)][0]})")


@pytest.mark.parametrize("path", SIDECAR, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_sidecar_depends_on_the_public_format_alone(path):
    for imported in imports(path):
        assert any(re.fullmatch(p, imported) for p in SIDECAR_MAY_IMPORT), f"{module_name(path)} imports {imported}"


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = ROOT / "generator" / "core" / "_layer_probe.py"
    bad.write_text("from generator.analytics import summarize\n", encoding="utf-8")
    try:
        assert layer_of("generator.analytics") > layer_of(module_name(bad))
        assert "generator.analytics" in imports(bad)
    finally:
        bad.unlink()


LONG = 320  # "about 300"
EVERY_MODULE = sorted(p for top in ("generator", "providers", "sidecar", "tests", "bench") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", EVERY_MODULE, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_over_300_lines_says_why_at_its_top(path):
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= LONG:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "300 lines" in docstring, f"{path.relative_to(ROOT)} is long: split it, or say why at its top"
