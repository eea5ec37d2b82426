"""What Hugging Face card files say, read straight from their YAML front matter: expected values of the tests.

Never through the ingester or huggingface_hub: a card's model name is its file name without ``.md`` (a
``README.md`` takes its folder's name), as docs/graph-model.md says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def hf_front_matters(folder: Path, *, keep_unparsable: bool = False) -> dict[str, dict[str, Any]]:
    """Each card's front matter under ``folder``, by model name; a card whose YAML does not parse is left out,
    or kept with no metadata (``keep_unparsable``), as the graph keeps it: a model with its name only."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.md")):
        name = path.parent.name if path.stem.lower() == "readme" else path.stem
        try:
            found[name] = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]) or {}
        except yaml.YAMLError:
            if keep_unparsable:
                found[name] = {}
    return found
