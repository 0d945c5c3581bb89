"""Color labels as other tools spell them: names, label sets, numbers.

Lightroom and Bridge store a label's *text* in the photographer's label set
(`LABEL_SETS`); `color_of` maps it by its position in any known set, else None
(kept as a keyword). Photo Mechanic's ranked classes
(`PHOTO_MECHANIC_CLASSES`) map to Lightroom's colors in order; digiKam and
darktable number theirs (`DIGIKAM_COLORS`, `DARKTABLE_COLORS`). Pure.
"""

from __future__ import annotations

import unicodedata

from curator.records import ColorLabel

_ORDER = (ColorLabel.RED, ColorLabel.YELLOW, ColorLabel.GREEN, ColorLabel.BLUE, ColorLabel.PURPLE)

LABEL_SETS: dict[str, tuple[str, str, str, str, str]] = {
    "Lightroom Default": ("Red", "Yellow", "Green", "Blue", "Purple"),
    "Lightroom Default (de)": ("Rot", "Gelb", "Grün", "Blau", "Lila"),
    "Lightroom Default (fr)": ("Rouge", "Jaune", "Vert", "Bleu", "Violet"),
    "Lightroom Default (es)": ("Rojo", "Amarillo", "Verde", "Azul", "Morado"),
    "Lightroom Default (it)": ("Rosso", "Giallo", "Verde", "Blu", "Viola"),
    "Lightroom Default (nl)": ("Rood", "Geel", "Groen", "Blauw", "Paars"),
    "Lightroom Default (pt)": ("Vermelho", "Amarelo", "Verde", "Azul", "Roxo"),
    "Lightroom Default (sv)": ("Röd", "Gul", "Grön", "Blå", "Lila"),
    "Bridge Default": ("Select", "Second", "Approved", "Review", "To Do"),
    "Review Status": (
        "To Delete",
        "Color Correction Needed",
        "Good to Use",
        "Retouching Needed",
        "To Print",
    ),
    # Photo Mechanic's default color classes that have a Lightroom color.
    "Photo Mechanic": ("Winner", "Superior", "Superior alt", "Typical", "Typical alt"),
}

PHOTO_MECHANIC_CLASSES = {
    1: "Winner",
    2: "Winner alt",
    3: "Superior",
    4: "Superior alt",
    5: "Typical",
    6: "Typical alt",
    7: "Extras",
    8: "Trash",
}
DIGIKAM_COLORS = {1: ColorLabel.RED, 3: ColorLabel.YELLOW, 4: ColorLabel.GREEN}
DIGIKAM_COLORS |= {5: ColorLabel.BLUE, 6: ColorLabel.PURPLE}
DARKTABLE_COLORS = dict(enumerate(_ORDER))


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


_BY_TEXT: dict[str, ColorLabel] = {}
for _names in LABEL_SETS.values():
    for _color, _name in zip(_ORDER, _names, strict=True):
        _BY_TEXT.setdefault(_key(_name), _color)
_BY_TEXT[_key("Magenta")] = ColorLabel.PURPLE  # digiKam's name for its sixth label


def color_of(text: str | None) -> ColorLabel | None:
    """The color a label text stands for in any known label set; None when unknown."""
    if not text or not text.strip():
        return None
    return ColorLabel.parse(text) or _BY_TEXT.get(_key(text))
