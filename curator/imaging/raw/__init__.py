"""RAW files: LibRaw opens them, and what Curator makes of what it finds.

- `raw.decode`: a RAW's bytes to a `DecodedImage`, and the quick look's and
  the screen's decodes;
- `raw.render`: our half-size render of the sensor, LibRaw's arithmetic, faster;
- `raw.jpeg_dng`: a JPEG-tiled DNG's sensor decoded by libjpeg-turbo;
- `raw.messages`: what LibRaw prints about broken sensor data, kept for the
  failure's detail.

Entered through `imaging.decode` and `imaging.quicklook`, which import this
room only when a RAW comes (rawpy loads then, never at start-up).
"""
