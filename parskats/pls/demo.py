"""Demo content of the PLS app: the two PLS surveys in the catalogue and the (real, not invented)
us-pls network, ready for the import screen at /n/us-pls/pls/ (the demo's system administrator can
use it). With PLS_DATA=/path/to/imls_pls set, the fiscal years found there are imported too.
Idempotent: running it again changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

from parskats.network.models import Network

from .importer import NETWORK_NAME, NETWORK_SLUG, ensure_surveys, import_year


def load_pls_demo() -> None:
    ensure_surveys()
    Network.objects.get_or_create(slug=NETWORK_SLUG, defaults={"name": NETWORK_NAME})
    data = os.environ.get("PLS_DATA")
    if data and Path(data).is_dir():
        for folder in sorted(Path(data).glob("FY*")):
            import_year(folder)
