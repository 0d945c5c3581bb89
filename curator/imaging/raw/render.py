"""Our own half-size render of a RAW's sensor data: LibRaw's arithmetic, faster.

From an unpacked `rawpy.RawPy` (or a `SensorSource`: imaging.raw.jpeg_dng),
the 8-bit sRGB frame LibRaw's ``postprocess(half_size=True,
use_camera_wb=True, no_auto_bright=True, output_bps=8)`` would give, in the
stored orientation; None for a sensor we do not render (X-Trans, Foveon, CMYG,
four-colour, non-square pixels): the caller then asks LibRaw. Rendered: 2x2
Bayer (one pixel per quad) and three-colour stacks (one per pixel).

The arithmetic, in LibRaw's order: black subtracted and white scaled to full
scale (`adjusted_maximum`); white balance normalised to the smallest
multiplier (`auto_white_balance` without one); greens averaged, clipped;
camera RGB to linear sRGB (`camera_to_srgb`), clipped; the BT.709 curve as a
16 -> 8-bit table (`BT709_CURVE`). Luma within 0.5 level of LibRaw's on the
fixtures; `_BAND_ROWS` rows at a time to stay in cache.

Invariants: the sensor data is never modified; the output is a C-contiguous
(h, w, 3) uint8 array; None means "ask LibRaw", never "unusable".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import rawpy

# LibRaw's xyz_rgb (sRGB D65 primaries -> XYZ), used to derive camera -> sRGB.
_XYZ_RGB = np.array(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ]
)
_ADJUST_MAXIMUM_THRESHOLD = 0.75  # LibRaw's default adjust_maximum_thr
_NO_CAMERA_WB = 0.00001  # LibRaw: cam_mul[0] at or below this means "none parsed"
_GREY_BLOCK = 8  # LibRaw's grey world sums 8 x 8 sensor pixels at a time...
_GREY_HEADROOM = 25  # ...and leaves out a block with a value above maximum - 25
_BAND_ROWS = 32  # output rows rendered at a time (see render_half_size)
_RED, _GREEN, _BLUE, _GREEN2 = 0, 1, 2, 3  # LibRaw's colour indices
_UNUSED = -1  # a stack's fourth channel, which a three-colour sensor leaves empty


def _bt709_table() -> np.ndarray:
    """LibRaw's output curve for gamma (0.45, 4.5), no auto-bright, 8-bit output:
    linear 0..65535 -> uint8, computed as LibRaw's gamma_curve(mode 2) does."""
    power, slope = 0.45, 4.5
    low, high = 0.0, 1.0
    knee = 0.0
    for _ in range(48):  # LibRaw's bisection for the point where both pieces meet
        knee = (low + high) / 2
        if ((knee / slope) ** -power - 1) / power - 1 / knee > -1:
            high = knee
        else:
            low = knee
    threshold, offset = knee / slope, knee * (1 / power - 1)
    r = np.arange(65536, dtype=np.float64) / 65536.0
    curve = np.where(r < threshold, r * slope, r**power * (1 + offset) - offset)
    return np.clip(np.floor(curve * 65536.0) / 256.0, 0, 255).astype(np.uint8)


BT709_CURVE = _bt709_table()  # linear 16-bit -> 8-bit BT.709, as LibRaw writes it


class SensorSource(Protocol):
    """What the render reads of a RAW's sensor, under rawpy's names and with
    their meanings (LibRaw's colour indices 0-3 for R, G, B, G2): a
    `rawpy.RawPy` after LibRaw's unpack, or `jpeg_dng.JpegDngSensor`."""

    @property
    def raw_image_visible(self) -> np.ndarray: ...
    @property
    def raw_pattern(self) -> np.ndarray | None: ...
    @property
    def raw_type(self) -> Any: ...
    @property
    def sizes(self) -> Any: ...
    @property
    def color_desc(self) -> bytes: ...
    @property
    def num_colors(self) -> int: ...
    @property
    def black_level_per_channel(self) -> Sequence[int]: ...
    @property
    def white_level(self) -> int: ...
    @property
    def camera_whitebalance(self) -> Sequence[float]: ...
    @property
    def daylight_whitebalance(self) -> Sequence[float]: ...
    @property
    def color_matrix(self) -> np.ndarray: ...
    @property
    def rgb_xyz_matrix(self) -> np.ndarray: ...


def render_half_size(raw: SensorSource) -> np.ndarray | None:
    """LibRaw's half-size render of `raw`'s sensor (see the module docstring),
    or None when the sensor is not one we render."""
    sensor = _sensor(raw)
    if sensor is None or sensor.rows == 0 or sensor.cols == 0:
        return None
    rgb_cam = camera_to_srgb(raw)
    if rgb_cam is None:
        return None
    colours = sensor.colours
    black = np.asarray(raw.black_level_per_channel, dtype=np.float64)[:4]
    channel_black = np.array([black[c] if c != _UNUSED else 0.0 for c in colours])
    white = float(raw.white_level)
    if white <= black.max():
        return None
    full_scale = adjusted_maximum(sensor, channel_black, white - black.min())
    multipliers = white_balance(
        raw, lambda: auto_white_balance(sensor.whole(), colours, channel_black, full_scale)
    )
    gains = multipliers * (65535.0 / full_scale)
    windows = _windows(colours, gains, channel_black)
    # Band by band: a band's intermediates stay in the cache (whole-frame ones
    # made ~8 passes over 36-48 MB on a 24 MP sensor).
    out = np.empty((sensor.rows, sensor.cols, 3), dtype=np.uint8)
    buffer = np.empty(_BAND_ROWS * sensor.cols * 4 + 2, dtype=np.uint16)
    for top in range(0, sensor.rows, _BAND_ROWS):
        bottom = min(top + _BAND_ROWS, sensor.rows)
        balanced = _scale_colours(sensor.band(top, bottom, buffer), windows)
        linear: np.ndarray = cv2.transform(balanced, rgb_cam)  # convert_to_rgb, clipped
        # "wrap" never wraps here (uint16 indices, a 65536-entry table) and skips
        # the per-element bounds test "clip" makes.
        assert linear.dtype == np.uint16  # see "wrap" above
        np.take(BT709_CURVE, linear, out=out[top:bottom], mode="wrap")
    return out


@dataclass(frozen=True)
class _Sensor:
    """A sensor we render: its data (raw_image_visible: (h, w) Bayer or (h, w, 4)
    stack), the LibRaw colour of each of a band's four channels, and the size of
    the render (a Bayer sensor's quads; a stack's pixels)."""

    data: np.ndarray
    colours: tuple[int, ...]
    rows: int
    cols: int

    def band(self, top: int, bottom: int, buffer: np.ndarray) -> np.ndarray:
        """Render rows top..bottom as a contiguous (n, cols, 4) uint16 array: a
        stack's own rows, or a Bayer sensor's quads gathered into `buffer` (then
        followed by a spare element, for `_shifted`)."""
        if self.data.ndim == 3:
            return self.data[top:bottom]
        # Each quad's top pair and bottom pair read as one 32-bit value (two uint16
        # pixels), interleaved by OpenCV's merge: channel i is the quad's position
        # (i // 2, i % 2).
        count = (bottom - top) * self.cols * 4
        merged = buffer.view(np.int32)[: count // 2].reshape(bottom - top, self.cols, 2)
        rows = slice(2 * top, 2 * bottom, 2)
        upper = self.data[rows, : 2 * self.cols].view(np.int32)
        lower = self.data[2 * top + 1 : 2 * bottom : 2, : 2 * self.cols].view(np.int32)
        cv2.merge([upper, lower], dst=merged)
        return buffer[:count].reshape(bottom - top, self.cols, 4)

    def whole(self) -> np.ndarray:
        """Every row as one (rows, cols, 4) array (`band` of them all)."""
        return self.band(0, self.rows, np.empty(self.rows * self.cols * 4 + 2, np.uint16))


def _sensor(raw: SensorSource) -> _Sensor | None:
    """`raw`'s sensor when it is one we render (see the module docstring), else None."""
    if raw.color_desc != b"RGBG" or raw.num_colors != 3:
        return None
    if float(raw.sizes.pixel_aspect) != 1.0:
        return None
    if raw.raw_type == rawpy.RawType.Stack:
        stack = raw.raw_image_visible
        if stack.ndim != 3 or stack.shape[2] != 4:
            return None
        stack = np.ascontiguousarray(stack)
        return _Sensor(stack, (_RED, _GREEN, _BLUE, _UNUSED), stack.shape[0], stack.shape[1])
    pattern = raw.raw_pattern
    if (
        raw.raw_type != rawpy.RawType.Flat
        or pattern is None
        or pattern.shape != (2, 2)
        or sorted(pattern.ravel().tolist()) != [0, 1, 2, 3]
    ):
        return None
    sensor = raw.raw_image_visible
    colours = tuple(int(pattern[i // 2, i % 2]) for i in range(4))
    return _Sensor(sensor, colours, sensor.shape[0] // 2, sensor.shape[1] // 2)


def adjusted_maximum(sensor: _Sensor, channel_black: np.ndarray, maximum: float) -> float:
    """LibRaw's ``maximum`` once black is subtracted inline: `maximum` (the white
    level less the smallest channel black) lowered to the data's peak when that
    lies above 75 % of it (``adjust_maximum_thr``). The peak is LibRaw's
    data maximum: the largest value above its own channel's black, over the
    visible sensor; per channel (`channel_maxima`) only when the blacks differ."""
    data = sensor.data
    pairs = zip(channel_black, sensor.colours, strict=True)
    used = [black for black, colour in pairs if colour != _UNUSED]
    if min(used) == max(used):
        top = float(cv2.minMaxLoc(data.reshape(data.shape[0], -1))[1])
        peak = max(top - used[0], 0.0)
    else:
        peak = max(float(np.max(channel_maxima(data) - channel_black)), 0.0)
    if 0 < peak < maximum and peak > maximum * _ADJUST_MAXIMUM_THRESHOLD:
        return peak
    return maximum


def channel_maxima(data: np.ndarray) -> np.ndarray:
    """The largest value of each of a sensor's four channels, in `_Sensor.colours`
    order: a stack's (h, w, 4) channels, or a Bayer (h, w) sensor's quad positions
    (row parity, then column parity): one OpenCV column-wise maximum per row
    parity, then the columns' parities."""
    if data.ndim == 3:
        columns = cv2.reduce(data.reshape(data.shape[0], -1), 0, cv2.REDUCE_MAX)
        return columns.reshape(-1, data.shape[2]).max(axis=0).astype(np.float64)
    tops = []
    for row_parity in (0, 1):
        columns = cv2.reduce(data[row_parity::2], 0, cv2.REDUCE_MAX).ravel()
        tops += [float(columns[0::2].max()), float(columns[1::2].max())]
    return np.array(tops)


def _windows(
    colours: tuple[int, ...], gains: np.ndarray, black: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The two 3 x 4 matrices of `_scale_colours`: channels 0 and 1 in the first
    window (channels 0-2), 3 in the second (channels 1-3), 2 in the second unless
    channel 3 is unused (a stack needs one window only). Each row one output
    colour: gain x (value - black), the greens of a quad half each."""
    windows = (np.zeros((3, 4)), np.zeros((3, 4)))
    for channel, colour in enumerate(colours):
        if colour == _UNUSED:
            continue
        second = channel == 3 or (channel == 2 and colours[3] != _UNUSED)
        matrix, column = (windows[1], channel - 1) if second else (windows[0], channel)
        out = _GREEN if colour == _GREEN2 else colour
        share = 0.5 if out == _GREEN and _GREEN2 in colours else 1.0
        matrix[out, column] = share * gains[colour]
        matrix[out, 3] -= share * gains[colour] * black[channel]
    return windows


def _scale_colours(image: np.ndarray, windows: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """LibRaw's scale_colors and green mix on a band's 4 channels: per channel
    black subtracted, times its gain, clipped to 0..65535; the greens of a quad
    averaged. (h, w, 3) uint16 in R, G, B order.

    OpenCV's transform is vectorised for 3 -> 3 channels only, so two 3-channel
    windows of the 4 channels, 0-2 and 1-3, each take the colours `_windows`
    assigned them, and the saturating sum adds them up; each green is clipped
    on its own before the mix, as LibRaw does."""
    first = cv2.transform(cv2.cvtColor(image, cv2.COLOR_RGBA2RGB), windows[0])
    if not windows[1].any():
        return first
    second = cv2.transform(cv2.cvtColor(_shifted(image), cv2.COLOR_RGBA2RGB), windows[1])
    return cv2.add(first, second)


def _shifted(image: np.ndarray) -> np.ndarray:
    """`image` (h, w, 4, C-contiguous) seen one channel later: pixel i's channels
    1, 2, 3 and the next pixel's 0 (past the last pixel, the spare element of the
    band buffer `_Sensor.band` fills; an image without one is copied into one)."""
    base = image.base
    if not (
        isinstance(base, np.ndarray)
        and image.flags.c_contiguous
        and base.size > image.size
        and base.__array_interface__["data"][0] == image.__array_interface__["data"][0]
    ):
        base = np.empty(image.size + 1, dtype=image.dtype)
        base[: image.size] = image.reshape(-1)
    return np.lib.stride_tricks.as_strided(
        base.reshape(-1)[1:], shape=image.shape, strides=image.strides, writeable=False
    )


def white_balance(raw: SensorSource, grey_world: Callable[[], np.ndarray | None]) -> np.ndarray:
    """The four multipliers (R, G, B, G2) LibRaw applies with ``use_camera_wb``,
    normalised to the smallest: the as-shot ones; when the file parsed none,
    ``grey_world()`` (LibRaw's automatic balance); when those are unusable
    too, daylight's, else none."""
    multipliers = np.asarray(raw.camera_whitebalance, dtype=np.float64)[:4]
    if multipliers[0] <= _NO_CAMERA_WB:
        found = grey_world()
        multipliers = np.asarray(raw.daylight_whitebalance, dtype=np.float64)[:4].copy()
        if found is not None:
            usable = found > 0
            multipliers[usable] = found[usable]
    elif not (multipliers[0] > 0 and multipliers[2] > 0):
        multipliers = np.asarray(raw.daylight_whitebalance, dtype=np.float64)[:4]
    if not (multipliers[0] > 0 and multipliers[2] > 0):
        multipliers = np.ones(4)
    multipliers = multipliers.copy()
    if multipliers[1] <= 0:
        multipliers[1] = 1.0
    if multipliers[3] <= 0:
        multipliers[3] = multipliers[1]
    return multipliers / multipliers.min()


def auto_white_balance(
    image: np.ndarray, colours: tuple[int, ...], black: np.ndarray, maximum: float
) -> np.ndarray | None:
    """LibRaw's grey world: per colour, pixels counted over their black-subtracted
    sum, over the blocks of 8 x 8 sensor pixels (4 x 4 quads) none of whose
    black-subtracted values exceeds ``maximum - 25`` (`maximum`: LibRaw's, above
    black, `adjusted_maximum`); 0 for a colour without any; None when every
    block is left out. `image` is `_Sensor.whole`'s (h, w, c) array, `black` per
    channel. Computed as the whole frame's sums less those of the blocks holding
    a hot value (a clipped highlight is rarely more than a few blocks)."""
    block = _GREY_BLOCK // 2 if _GREEN2 in colours else _GREY_BLOCK
    height, width, channels = image.shape
    scalar: Any = tuple(float(b) for b in black)  # OpenCV's per-channel scalar
    shifted = cv2.subtract(image, scalar) if black.any() else image
    totals = np.asarray(cv2.sumElems(shifted)[:channels], dtype=np.float64)
    count = height * width
    limit: Any = maximum - _GREY_HEADROOM
    hot = cv2.compare(shifted.reshape(height, width * channels), limit, cv2.CMP_GT)
    if cv2.countNonZero(hot):
        # The rows holding a hot value first (a row-wise max), then the values in them.
        hot_rows = np.flatnonzero(hot.max(axis=1))
        hot_x, at = cv2.findNonZero(np.ascontiguousarray(hot[hot_rows])).reshape(-1, 2).T
        hot_y = hot_rows[at]
        rows, cols = -(-height // block), -(-width // block)
        hot_blocks = np.unique(hot_y // block * cols + hot_x // channels // block)
        if hot_blocks.size == rows * cols:
            return None
        at_row, at_col = np.divmod(hot_blocks, cols)
        if (rows * block, cols * block) != (height, width):  # whole blocks, zero-padded
            pad = ((0, rows * block - height), (0, cols * block - width), (0, 0))
            shifted = np.pad(shifted, pad)
        blocks = shifted.reshape(rows, block, cols, block, channels)[at_row, :, at_col]
        totals -= blocks.sum(axis=(0, 1, 2), dtype=np.float64)
        block_rows = np.minimum(block, height - at_row * block)
        block_cols = np.minimum(block, width - at_col * block)
        count -= int((block_rows * block_cols).sum())
    found = np.zeros(4)
    for channel, colour in enumerate(colours):
        if colour != _UNUSED and totals[channel] > 0:
            found[colour] = count / totals[channel]
    return found


def camera_to_srgb(raw: SensorSource) -> np.ndarray | None:
    """LibRaw's rgb_cam for this file (3x3), or None when it cannot be formed."""
    cmatrix = np.asarray(raw.color_matrix, dtype=np.float64)[:, :3]
    if cmatrix[0, 0] > 0.125:  # LibRaw uses the file's own matrix when it has one
        return cmatrix
    cam_xyz = np.asarray(raw.rgb_xyz_matrix, dtype=np.float64)[:3]
    if not np.any(cam_xyz):
        return np.eye(3)  # no matrix known: LibRaw outputs camera RGB too
    derived = camera_matrices(cam_xyz)
    return None if derived is None else derived[0]


def camera_matrices(cam_xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """What LibRaw's ``cam_xyz_coeff`` derives from a three-colour XYZ -> camera
    matrix: rgb_cam (camera -> linear sRGB, 3x3; each camera row normalised to
    sum 1 first) and the daylight multipliers (pre_mul, 1 / each row's sum);
    None when the matrix cannot be inverted."""
    cam_rgb = np.asarray(cam_xyz, dtype=np.float64) @ _XYZ_RGB
    sums = cam_rgb.sum(axis=1)
    if np.any(sums == 0):
        return None
    try:
        rgb_cam = np.linalg.inv(cam_rgb / sums[:, None])
    except np.linalg.LinAlgError:
        return None
    return np.asarray(rgb_cam), 1.0 / sums
