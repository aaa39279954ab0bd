"""shelfcheck: every reason TikTok Shop US would refuse a product, before you publish it.

The library API is small: :func:`check` a catalogue to get a :class:`Report`; each
:class:`ListingResult` holds :class:`Finding` objects with a stable code, a :class:`Severity`, the
field they point at and the measured evidence. :func:`load_policy` loads a policy pack.
"""

__version__ = "0.1.0"

from shelfcheck.api import Preflight, check, prepare  # noqa: E402
from shelfcheck.errors import InputError, PolicyError, ShelfcheckError  # noqa: E402
from shelfcheck.findings import Finding, ListingResult, Report, Severity, Summary  # noqa: E402
from shelfcheck.policy import Policy, load_policy  # noqa: E402

__all__ = [
    "Finding",
    "InputError",
    "ListingResult",
    "Policy",
    "PolicyError",
    "Preflight",
    "Report",
    "Severity",
    "ShelfcheckError",
    "Summary",
    "__version__",
    "check",
    "load_policy",
    "prepare",
]
