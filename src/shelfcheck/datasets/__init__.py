"""Reference datasets: the CosIng INCI inventory, FCC grantee codes, the Open API error table.

Third-party datasets are never shipped in the package: the user installs them at run time with
``shelfcheck data import KIND FILE`` or ``shelfcheck data update`` (contract §2.6) into the user
data directory, each with a manifest saying where it came from and how old it is. The package
ships only what the project wrote itself: a list of common INCI names (``inci_builtin.txt``) and
a curated synonym table (``inci_synonyms.yaml``).

:func:`load_datasets` reads whatever is installed (a few milliseconds even for the 30,000-name
CosIng store) and never fails: a store that is missing or corrupt is reported in ``provenance``
and the run falls back to the built-in list.

Provenance (``Datasets.provenance``, copied into every report's header) maps:

* ``inci`` → the dictionary the INCI check uses: ``"cosing@2021-12-15"`` or ``"builtin"``;
* each kind (``cosing``, ``fcc-grantees``, ``tiktok-errors``) → ``"<kind>@<dataset date>"``,
  ``"not installed"`` or ``"unreadable (<why>)"``;
* ``tiktok-categories`` → ``"tiktok-categories@<shop>@<date>"`` when the shop's category data was
  pulled or imported (absent otherwise: a run note says what that leaves unchecked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfcheck.datasets.platform import PlatformCategories, load_platform
from shelfcheck.datasets.store import (
    KINDS,
    DatasetError,
    StoreState,
    data_dir,
    import_dataset,
    read_store,
)

if TYPE_CHECKING:  # the INCI module loads when a rule asks for the dictionary
    from shelfcheck.analysis.inci import InciDictionary

__all__ = [
    "BUILTIN_INCI_LABEL",
    "KINDS",
    "DatasetError",
    "Datasets",
    "PlatformCategories",
    "StoreState",
    "data_dir",
    "dataset_status",
    "import_dataset",
    "load_datasets",
]


# The label of :func:`shelfcheck.analysis.inci.builtin_dictionary` (a test keeps them equal),
# written without loading that module: a check whose listings declare no ingredients never needs it.
BUILTIN_INCI_LABEL = "builtin"


@dataclass
class Datasets:
    """The reference data a run uses, and where each piece came from.

    Attributes:
        inci: CosIng's INCI dictionary when installed, else ``None``: use :attr:`inci_dictionary`,
            which falls back to the built-in list (loaded only when a listing declares ingredients).
        grantees: FCC grantee code → grantee name (``None`` when the name is empty); ``None`` when
            not installed. Partial lists exist: a code missing here is not an error.
        errors: Open API error code → list of ``{message, endpoint, category, source_url,
            blocking}`` rows (one code may have several messages and endpoints); ``None`` when not
            installed.
        platform: the shop's category tree, rules and attributes from the platform
            (:mod:`shelfcheck.datasets.platform`); ``None`` when none was pulled or imported.
        provenance: ``inci`` and each kind → its label (see the module docstring).
        manifests: each installed kind → its manifest (source, sha256, rows, dates).
    """

    inci: Any = None
    grantees: dict[str, str | None] | None = None
    errors: dict[str, list[dict[str, str]]] | None = None
    platform: PlatformCategories | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def inci_dictionary(self) -> InciDictionary:
        """The INCI dictionary to check against (the built-in list when nothing is installed)."""
        from shelfcheck.analysis.inci import InciDictionary, builtin_dictionary

        return self.inci if isinstance(self.inci, InciDictionary) else builtin_dictionary()


_INCI_CACHE: dict[str, tuple[str, InciDictionary]] = {}


def _cosing_dictionary(state: StoreState) -> InciDictionary:
    manifest = state.manifest or {}
    label = str(manifest.get("label") or "cosing")
    # One dictionary object per installed store, so its per-name cache survives repeated runs.
    cache_key = str(manifest.get("store_sha256"))
    cached = _INCI_CACHE.get(cache_key)
    if cached is not None and cached[0] == label:
        return cached[1]
    from shelfcheck.analysis.inci import InciDictionary

    dictionary = InciDictionary(state.payload, label=label, complete=True)
    _INCI_CACHE.clear()
    _INCI_CACHE[cache_key] = (label, dictionary)
    return dictionary


def load_datasets(data_dir: str | Path | None = None) -> Datasets:
    """Load whatever is installed in the user data directory (never raises)."""
    from shelfcheck.datasets.store import data_dir as resolve

    root = resolve(data_dir)
    ds = Datasets()
    for kind in KINDS:
        try:
            state = read_store(kind, root)
        except Exception as exc:  # a store must never stop a run
            state = StoreState(kind, "unreadable", problem=" ".join(str(exc).split())[:120] or type(exc).__name__)
        ds.provenance[kind] = state.label
        if state.state != "installed":
            continue
        ds.manifests[kind] = dict(state.manifest or {})
        if kind == "cosing":
            ds.inci = _cosing_dictionary(state)
        elif kind == "fcc-grantees":
            ds.grantees = {code: (name or None) for code, name in state.payload.items()}
        elif kind == "tiktok-errors":
            ds.errors = state.payload
    ds.platform = load_platform(root)
    if ds.platform is not None:
        ds.provenance["tiktok-categories"] = ds.platform.label
    ds.provenance = {"inci": ds.inci.label if ds.inci is not None else BUILTIN_INCI_LABEL, **ds.provenance}
    return ds


def dataset_status(data_dir: str | Path | None = None) -> list[StoreState]:
    """Each kind's state in the data directory (payloads checked, then dropped)."""
    from shelfcheck.datasets.store import data_dir as resolve

    root = resolve(data_dir)
    states = []
    for kind in KINDS:
        state = read_store(kind, root)
        states.append(StoreState(state.kind, state.state, state.manifest, state.problem))
    return states
