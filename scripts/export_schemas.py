#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the item schemas kept in plugins/module_utils/_schemas.py to docs/schemas/*.json.

Usage: python scripts/export_schemas.py [--check]   (--check: exit 1 if the files differ)
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_schemas():
    """Import _schemas.py by path (it needs nothing else)."""
    spec = importlib.util.spec_from_file_location("_schemas", REPO / "plugins" / "module_utils" / "_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCHEMAS


def rendered():
    """File name -> JSON text."""
    return {name + ".json": json.dumps(schema, indent=2) + "\n" for name, schema in load_schemas().items()}


def main(argv):
    """Write, or with --check compare."""
    target = REPO / "docs" / "schemas"
    stale = []
    for name, text in rendered().items():
        path = target / name
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            target.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print("docs/schemas is stale (%s); run: python scripts/export_schemas.py" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
