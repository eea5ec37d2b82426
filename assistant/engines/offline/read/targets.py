"""What a question counts or lists: models, unless another kind of thing follows "how many" or "list"."""

from __future__ import annotations

import re

from assistant.language.vocabulary import Vocabulary

ENTITY_FIELDS = {"problem_type": "problem_types", "service": "services", "dataset": "datasets",
                  "architecture": "architectures", "author": "authors", "optimizer": "optimizers"}  # fmt: skip
"""Fields that name a kind of entity: asked of other entities ("problem type of localization"), their values are
listed, not the models."""


def count_target(texts: list[str], vocab: Vocabulary) -> str:
    """What to count or list: models unless another kind of thing follows "how many" / "list"."""
    targets = {
        "dataset": "datasets", "datasets": "datasets", "architecture": "architectures",
        "architectures": "architectures", "algorithms": "architectures", "device": "devices", "devices": "devices",
        "service": "services", "services": "services", "runs": "inference_runs", "benchmarks": "inference_runs",
        "measurements": "inference_runs", "times": "inference_runs", "entries": "inference_runs",
        "optimisers": "optimizers", "optimiser": "optimizers", "optimizer": "optimizers", "optimizers": "optimizers",
        "authors": "authors",
        "problem": "problem_types", "problems": "problem_types", "splits": "splits", "split": "splits",
        "hardware": "devices", "machines": "devices", "processors": "devices",
    }  # fmt: skip
    joined = " ".join(texts)
    if re.search(r"\bgpu (models?|types?)\b|\bgraphics cards?\b|\bwhich gpus\b", joined):
        return "gpu_models"
    if re.search(
        r"\b(?:list|show|many|number of|all|the|which|what)\s+(?:the\s+|distinct\s+|different\s+)?base models\b", joined
    ):
        return "base_models"  # "list the base models": the models cards are fine-tuned from
    if texts and texts[0] in targets:  # "datasets larger than 1 MB"
        return targets[texts[0]]
    for i, word in enumerate(texts):
        if word in ("many", "number", "list", "which", "what", "all", "show", "distinct", "different", "the"):
            following = texts[i + 1 : i + 5]
            for j, nxt in enumerate(following[:3]):
                if nxt in targets:
                    return targets[nxt]
                if nxt in ("model", "models"):  # "how many different model architectures": architectures
                    after = following[j + 1] if j + 1 < len(following) else ""
                    return targets[after] if after in targets and after != "split" else "models"
    return "models"
