"""Camera names as people say them: the maker once, in its usual spelling.

The one naming of a camera: every place that shows one (the loupe's panel,
the Filter popup, `manifest.json`, `curator list`, a RAW decode failure's
sentence) calls `camera_name`, so a photo's camera reads the same everywhere
("Olympus E-P3", never "OLYMPUS IMAGING CORP. E-P3"). Only what is shown is
named here: the catalog keeps the make and model as the file wrote them,
filters match those, and an exported rendition's EXIF carries them unchanged.
Pure.
"""

from __future__ import annotations

# How the makers are written for people ("NIKON CORPORATION" → "Nikon").
_MAKERS: dict[str, str] = {
    "nikon": "Nikon",
    "canon": "Canon",
    "sony": "Sony",
    "fujifilm": "Fujifilm",
    "olympus": "Olympus",
    "om digital": "OM System",
    "pentax": "Pentax",
    "ricoh": "Ricoh",
    "panasonic": "Panasonic",
    "leica": "Leica",
    "samsung": "Samsung",
    "hasselblad": "Hasselblad",
    "kodak": "Kodak",
    "eastman kodak": "Kodak",
    "konica minolta": "Konica Minolta",
    "minolta": "Minolta",
    "casio": "Casio",
    "sigma": "Sigma",
    "apple": "Apple",
    "google": "Google",
    "huawei": "Huawei",
    "xiaomi": "Xiaomi",
    "dji": "DJI",
    "gopro": "GoPro",
    "phase one": "Phase One",
}
_CORPORATE = {"corporation", "corp", "corp.", "co.", "co", "ltd", "ltd.", "inc", "inc."}
_CORPORATE |= {"company", "imaging", "optical", "camera", "cameras", "gmbh", "ag"}


def camera_name(make: str | None, model: str | None) -> str | None:
    """The camera as a person says it, the maker once: ("NIKON CORPORATION",
    "NIKON D70s") → "Nikon D70s"; ("Canon", "Canon EOS 5D") → "Canon EOS 5D";
    ("SONY", "ILCE-7M3") → "Sony ILCE-7M3". None when neither is known."""
    make, model = (make or "").strip(), (model or "").strip()
    words = [w for w in make.split() if w.lower() not in _CORPORATE]
    maker_key = " ".join(words).lower()
    maker = _MAKERS.get(maker_key) or _MAKERS.get(words[0].lower() if words else "")
    if maker is None:
        maker = " ".join(words)
    if not model:
        return maker or None
    for prefix in (maker_key, words[0].lower() if words else "", maker.lower()):
        if prefix and model.lower().startswith(prefix + " "):
            model = model[len(prefix) :].strip()
            break
        if prefix and model.lower() == prefix:
            model = ""
            break
    return " ".join(x for x in (maker, model) if x) or None
