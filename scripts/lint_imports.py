"""Import contracts between Shkola's apps, checked with import-linter.

House rule 1: another app is used only through its services (writes), selectors (reads),
rules and models. So for every app X, no other app may import X.views, X.forms or X.urls.

The contracts are generated from the apps that exist under shkola/ (an app that arrives later
is covered without editing a config), written to a temporary .ini and passed to lint-imports.
`python scripts/lint_imports.py --print` shows the generated configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_LAYERS = ("views", "forms", "urls")


def apps() -> list[str]:
    return sorted(
        p.name
        for p in (ROOT / "shkola").iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith("_")
    )


def config() -> str:
    names = apps()
    lines = [
        "[importlinter]",
        "root_package = shkola",
        "include_external_packages = False",
        "",
    ]
    for app in names:
        private = [
            f"shkola.{app}.{layer}"
            for layer in PRIVATE_LAYERS
            if (ROOT / "shkola" / app / f"{layer}.py").exists()
            or (ROOT / "shkola" / app / layer / "__init__.py").exists()
        ]
        others = [f"shkola.{other}" for other in names if other != app]
        if not private or not others:
            continue
        lines += [
            f"[importlinter:contract:{app}-private]",
            f"name = Other apps use shkola.{app} only through services/selectors/rules/models",
            "type = forbidden",
            "source_modules =",
            *(f"    {m}" for m in others),
            "forbidden_modules =",
            *(f"    {m}" for m in private),
            # Direct imports are the rule; a chain through a public module is that module's business.
            "allow_indirect_imports = true",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    text = config()
    if "--print" in sys.argv:
        print(text)
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".ini", prefix="importlinter-", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        exe = Path(sys.executable).with_name("lint-imports")
        return subprocess.call([str(exe), "--config", path, "--no-cache"], cwd=ROOT, env=env)
    finally:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
