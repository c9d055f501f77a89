"""Charts drawn for a wall: the dashboard's spec with bigger marks and type. Both the deck and the
handout take their chart pictures from the pack, which draws them with this spec."""

from __future__ import annotations

import copy
from typing import Any


def slide_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's spec drawn for a wall: bigger marks and type, no title (the slide has it)."""
    spec = copy.deepcopy({key: value for key, value in spec.items() if key != "title"})
    spec["height"] = 400
    if isinstance(spec.get("width"), dict):
        spec["width"] = {"step": max(spec["width"].get("step", 26) * 2, 60)}
    else:
        spec["width"] = 820
    big = {"labelFontSize": 20, "titleFontSize": 18, "labelLimit": 360}
    spec["config"] = {
        "axis": big,
        "legend": {"labelFontSize": 20, "labelLimit": 480, "symbolSize": 200},
        "text": {"fontSize": 20},
    }
    return spec
