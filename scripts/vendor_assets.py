#!/usr/bin/env python
"""Copy the pinned front-end assets from node_modules into build/static/vendor/.

settings.STATICFILES_DIRS includes build/static, so templates refer to them as
{% static 'vendor/htmx.min.js' %} and so on. Run `npm ci` first (`make setup` does both).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DEST = ROOT / "build" / "static" / "vendor"

# destination name -> source path relative to node_modules
ASSETS: dict[str, str] = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "tabler.min.css": "@tabler/core/dist/css/tabler.min.css",
    "tabler.min.js": "@tabler/core/dist/js/tabler.min.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}


def main() -> int:
    missing = [src for src in ASSETS.values() if not (NODE_MODULES / src).is_file()]
    if missing:
        print("vendor_assets: missing front-end files / 缺少前端资源文件:", file=sys.stderr)
        for src in missing:
            print(f"  - {NODE_MODULES / src}", file=sys.stderr)
        print("Run `npm ci` in the repository root first (or `make setup`).", file=sys.stderr)
        return 1
    DEST.mkdir(parents=True, exist_ok=True)
    for stale in DEST.iterdir():
        if stale.name not in ASSETS:
            stale.unlink() if stale.is_file() else shutil.rmtree(stale)
    for name, src in ASSETS.items():
        shutil.copyfile(NODE_MODULES / src, DEST / name)
    print(f"vendor_assets: copied {len(ASSETS)} files to {DEST.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
