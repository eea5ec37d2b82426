"""One renderer of a plan's filters, in the two places an answer shows them.

The answer's scope is short ("on lumos5g; architecture XGBRegressor"); the "understood as" line says each in
full ("trained on dataset lumos5g and with architecture XGBRegressor"). One table holds both wordings.
"""

from __future__ import annotations

from assistant.engines.offline.read.conditions import Filter

# kind -> (the answer's scope, "understood as"); {v} is the values, {k} the kind's name, {p} the property.
_PHRASES: dict[str, tuple[str | None, str]] = {
    "dataset": ("on {v}", "trained on dataset {v}"),
    "model": (None, "named {v}"),
    "evaluated_on": ("evaluated on {v}", "evaluated on dataset {v}"),
    "base_model": ("fine-tuned from {v}", "fine-tuned from {v}"),
    "fine_tuned": ("fine-tuned from a base model", "fine-tuned from a base model"),
    "hyper": ("{k} {v}", "with hyperparameter {p} = {v}"),
}
_DEFAULT = ("{k} {v}", "with {n} {v}")
_DEVICE_ROLES = {"training": ("trained on", "trained on"), "inference": ("run on", "with inference runs on")}
_KIND_NAMES = {
    "architecture": "architecture", "explainability": "explainability", "service": "service",
    "problem_type": "problem type", "split": "split type", "optimizer": "optimizer", "author": "author",
}  # fmt: skip
"""How "understood as" names a kind ("split type"); the scope uses the kind as written."""


def _kind(flt: Filter) -> str:
    return flt.kind.split(":")[-1].replace("_", " ")


def filter_phrase(flt: Filter, *, full: bool) -> str | None:
    """``flt`` in words: short for an answer's scope, ``full`` for "understood as"; None when the scope skips it."""
    values = " or ".join(str(v) for v in flt.values)
    if flt.negated and not full:
        return f"not {_kind(flt)} {values}"
    if flt.kind == "device":
        role = _DEVICE_ROLES.get(flt.role, ("on", "on"))[full]
        text = f"{role} device {values}" if full else f"{role} {values}"
    else:
        phrases = _PHRASES.get("hyper" if flt.kind.startswith("hyper:") else flt.kind, _DEFAULT)
        template = phrases[full]
        if template is None:
            return None
        name = _KIND_NAMES.get(flt.kind, _kind(flt))
        text = template.format(v=values, k=_kind(flt), p=flt.property, n=name)
    return f"not {text}" if flt.negated else text
