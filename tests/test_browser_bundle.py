"""The page bundle: built by esbuild from site_templates/src, importing ECharts piece by piece."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser_support import DIST, ROOT, SITE, ensure_bundle

CHECK = SITE / "check-imports.mjs"
FULL_ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def check_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(CHECK), str(folder)], capture_output=True, text=True, timeout=60)


@needs_node
def test_page_sources_import_echarts_only_piece_by_piece():
    result = check_imports(SITE / "src")
    assert result.returncode == 0, result.stderr


@needs_node
@pytest.mark.parametrize("line", [
    "import * as echarts from 'echarts';",
    'import { init } from "echarts";',
    "const echarts = require('echarts');",
    "import 'echarts/dist/echarts.min.js';",
])
def test_check_imports_fails_on_the_whole_echarts_package(tmp_path, line):
    shutil.copytree(SITE / "src", tmp_path / "src")
    (tmp_path / "src" / "extra.js").write_text(f"{line}\nexport const x = 1;\n", encoding="utf-8")
    result = check_imports(tmp_path / "src")
    assert result.returncode == 1
    assert "extra.js:1" in result.stderr and "echarts/core" in result.stderr


@needs_node
def test_bundle_is_much_smaller_than_the_full_echarts_library():
    ensure_bundle()
    bundle = (DIST / "app.js").stat().st_size
    assert bundle < 0.75 * FULL_ECHARTS.stat().st_size, f"app.js is {bundle} bytes: is all of ECharts bundled?"
    assert (DIST / "app.css").stat().st_size > 0
