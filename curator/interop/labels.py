"""Color labels as other tools spell them: names, label sets, numbers.

Lightroom and Bridge store a label as *text* (`xmp:Label`, Lightroom's
`Adobe_images.colorLabels`), and which text means which color depends on
the label set the photographer chose (Metadata ▸ Color Label Set): Lightroom's
default set ("Red" … "Purple", translated in a localised Lightroom: "Rot",
"Rouge", …), Bridge's ("Select", "Second", "Approved", "Review", "To Do") and
"Review Status" ("To Delete", "Color Correction Needed", "Good to Use",
"Retouching Needed", "To Print"). The sets are Lightroom preferences, not
part of the catalog, so `color_of` maps a label by its position in every set
it knows; any other text returns None and the caller keeps it as a keyword
(never dropped silently).

Photo Mechanic stores a color class number 0–8 (`photomechanic:ColorClass`;
names from ExifTool's PhotoMechanic.pm: 1 Winner, 2 Winner alt, 3 Superior,
4 Superior alt, 5 Typical, 6 Typical alt, 7 Extras, 8 Trash) and can write the
class name as `xmp:Label`. The classes carry no color in XMP, so Curator
maps the ranked ones to Lightroom's colors in order (its choice: Winner red,
Superior yellow, Superior alt green, Typical blue, Typical alt purple); the
others (Winner alt, Extras, Trash) arrive as keywords. digiKam numbers its labels
(`digiKam:ColorLabel`: 1 red, 3 yellow, 4 green, 5 blue, 6 magenta);
darktable too (`darktable:colorlabels`: 0 red … 4 purple).

Pure: no catalog, no Qt.
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
