"""People in photos: faces found, eyes judged open, narrowed or shut, faces' own sharpness.

The faces stage's model side, in rooms:
- `files`: where the face model's files live, their checksums, and the
  sentence when they are missing or damaged (no OpenCV, no numpy);
- `networks`: the networks (MediaPipe's BlazeFace full- and short-range
  detectors, Face Mesh, Face Landmarker's landmarks and blendshapes, TFLite
  files) and how their inputs and outputs are laid out;
- `graphs`: what runs a TFLite graph: OpenVINO, LiteRT or OpenCV's DNN module;
- `eyes`: the open / narrowed (a laugh) / closed / unknown rule from the
  blendshapes' blink scores, the smile, the lids' shape and the brows
  (unknown: turned away, sunglasses, too small), and the lids' openness;
- `sharpness`: a face's own sharpness on the photo's 0–100 scale;
- `verdicts`: key faces and the photo's summary (CLOSED EYES, SOFT FACE);
- `groups`: a group's small faces looked for again, and judged, in the
  frame's sharper pixels (asked of the decode only for a group);
- `find`: `find_faces`, the stage body on one upright preview;
- `moment`: a burst's people, how its frames compare by their faces (the
  star's people steps, `ml.bursts`; numpy and records only).

Nothing here is imported at start-up: OpenCV, numpy and LiteRT load with
`networks`, on a decoder child, when the stage first runs.
"""
