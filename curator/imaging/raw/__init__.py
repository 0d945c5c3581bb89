"""RAW files: LibRaw opens them, and what Curator makes of what it finds.

- `raw.decode`: a RAW's bytes to a `DecodedImage` (the embedded preview when
  it is large enough, else the sensor; clear errors for what LibRaw cannot
  read), and the quick look's and the screen's decodes;
- `raw.render`: our half-size render of the sensor, LibRaw's arithmetic,
  faster;
- `raw.jpeg_dng`: a JPEG-tiled DNG's sensor (lossless or lossy) decoded by
  libjpeg-turbo, its levels and colour read from its tags as LibRaw reads
  them (LibRaw's own decoders take two to three times as long);
- `raw.messages`: what LibRaw prints on its own about broken sensor data,
  kept off the terminal and put in the failure's detail.

Entered through `imaging.decode` and `imaging.quicklook`, which import this
room only when a RAW comes (rawpy loads then, never at start-up).
"""
