"""Reference datasets installed at run time (CosIng INCI inventory, FCC grantees, error table).

Placeholder interface; the store, import and update commands live in this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Datasets", "load_datasets"]


@dataclass
class Datasets:
    """The reference data a run uses, and where each piece came from."""

    inci: Any = None
    grantees: dict[str, str] | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def load_datasets(data_dir: str | None = None) -> Datasets:
    """Load whatever is installed in the user data directory."""
    return Datasets()
