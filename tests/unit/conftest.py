# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make `ansible_collections.ubidots.industrial` importable from the checkout, wherever it lies."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _collections_root():
    for parent in REPO.parents:
        if parent.name == "ansible_collections":
            return parent.parent
    root = Path(tempfile.mkdtemp(prefix="ubidots-unit-"))
    (root / "ansible_collections" / "ubidots").mkdir(parents=True)
    (root / "ansible_collections" / "ubidots" / "industrial").symlink_to(REPO, target_is_directory=True)
    return root


sys.path.insert(0, str(_collections_root()))
