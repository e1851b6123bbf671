# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ubidots API v2.0 emulator, in small modules; ubidots_emulator.py (beside this package) is its entry point.

common      constants, error bodies, helpers       validators  field validators
store       data, lookups, read format             writes      validation and writes (bulk, single, lifecycle)
api         the API endpoints                      faults      injected faults, log redaction
server      HTTP server and handler                emulator    Emulator: life cycle, log, state, control API
fixtures    generated fixtures
"""

from .common import API_PREFIX, DEFAULT_FIXTURE, Invalid, password_digest
from .emulator import Emulator
from .fixtures import generate
from .store import Store

__all__ = ["API_PREFIX", "DEFAULT_FIXTURE", "Emulator", "Invalid", "Store", "generate", "password_digest"]
