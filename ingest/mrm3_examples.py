"""Where the public MRM3 example cards are installed.

The 22 cards of the MRM3 project's ``dataset`` folder ship unmodified inside
this package (``ingest/mrm3_cards/``, BSD-3-Clause, see the LICENSE beside
them), so ``mrm3 demo`` and the tests need nothing outside the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

MRM3_CARDS_PACKAGE_DIR = "mrm3_cards"
"""The folder inside the ``ingest`` package that holds the cards."""


def mrm3_cards_dir() -> Path:
    """Return the folder holding the vendored MRM3 example cards.

    The folder keeps the published sub-folders (``logatec/``, ``lumos/``,
    ``umu/``) and can be given to :func:`ingest.ingester.ingest_paths` like any
    directory of cards.

    Returns:
        The folder on the file system.

    Raises:
        FileNotFoundError: If the package was installed without its data, or
            from an archive (a zip import), where the cards are no plain folder.
    """
    location = resources.files("ingest").joinpath(MRM3_CARDS_PACKAGE_DIR)
    # ingest_paths walks real directories; a zip-imported package has none to give it.
    if not isinstance(location, Path) or not location.is_dir():
        raise FileNotFoundError(
            f"The MRM3 example cards are not installed at {location} - reinstall mrm3-assistant from its repository"
        )
    return location
