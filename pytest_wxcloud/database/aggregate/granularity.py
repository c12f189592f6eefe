"""``$bucketAuto``'s ``granularity``: bucket boundaries snapped to a preferred-number series.

The series are MongoDB's own tables (its "least rounded" Renard numbers, the 1-2-5 series, the E
series — quirks included, e.g. its R40 has no 335). Rounding is strict, as in MongoDB: a value on
the series rounds *up* to the next series number and *down* to the previous one. ``POWERSOF2``
rounds to ``2 ** n``, an integer for non-negative ``n``.
"""

from __future__ import annotations

import math
from typing import Any

from .support import fail, type_name

#: MongoDB's series, each at the scale it is written in (a decade of mantissas).
_SERIES: dict[str, tuple[int, ...]] = {
    "R5": (10, 16, 25, 40, 63),
    "R10": (100, 125, 160, 200, 250, 315, 400, 500, 630, 800),
    "R20": (100, 112, 125, 140, 160, 180, 200, 224, 250, 280, 315, 355, 400, 450, 500, 560, 630,
            710, 800, 900),
    "R40": (100, 106, 112, 118, 125, 132, 140, 150, 160, 170, 180, 190, 200, 212, 224, 236, 250,
            265, 280, 300, 315, 355, 375, 400, 425, 450, 475, 500, 530, 560, 600, 630, 670, 710,
            750, 800, 850, 900, 950),
    "R80": (103, 109, 115, 122, 128, 136, 145, 155, 165, 175, 185, 195, 206, 218, 230, 243, 258,
            272, 290, 307, 325, 345, 365, 387, 412, 437, 462, 487, 515, 545, 575, 615, 650, 690,
            730, 775, 825, 875, 925, 975),
    "1-2-5": (10, 20, 50),
    "E6": (10, 15, 22, 33, 47, 68),
    "E12": (10, 12, 15, 18, 22, 27, 33, 39, 47, 56, 68, 82),
    "E24": (10, 11, 12, 13, 15, 16, 18, 20, 22, 24, 27, 30, 33, 36, 39, 43, 47, 51, 56, 62, 68,
            75, 82, 91),
    "E48": (100, 105, 110, 115, 121, 127, 133, 140, 147, 154, 162, 169, 178, 187, 196, 205, 215,
            226, 237, 249, 261, 274, 287, 301, 316, 332, 348, 365, 383, 402, 422, 442, 464, 487,
            511, 536, 562, 590, 619, 649, 681, 715, 750, 787, 825, 866, 909, 953),
    "E96": (100, 102, 105, 107, 110, 113, 115, 118, 121, 124, 127, 130, 133, 137, 140, 143, 147,
            150, 154, 158, 162, 165, 169, 174, 178, 182, 187, 191, 196, 200, 205, 210, 215, 221,
            226, 232, 237, 243, 249, 255, 261, 267, 274, 280, 287, 294, 301, 309, 316, 324, 332,
            340, 348, 357, 365, 374, 383, 392, 402, 412, 422, 432, 442, 453, 464, 475, 487, 499,
            511, 523, 536, 549, 562, 576, 590, 604, 619, 634, 649, 665, 681, 698, 715, 732, 750,
            768, 787, 806, 825, 845, 866, 887, 909, 931, 953, 976),
    "E192": (100, 101, 102, 104, 105, 106, 107, 109, 110, 111, 113, 114, 115, 117, 118, 120, 121,
             123, 124, 126, 127, 129, 130, 132, 133, 135, 137, 138, 140, 142, 143, 145, 147, 149,
             150, 152, 154, 156, 158, 160, 162, 164, 165, 167, 169, 172, 174, 176, 178, 180, 182,
             184, 187, 189, 191, 193, 196, 198, 200, 203, 205, 208, 210, 213, 215, 218, 221, 223,
             226, 229, 232, 234, 237, 240, 243, 246, 249, 252, 255, 258, 261, 264, 267, 271, 274,
             277, 280, 284, 287, 291, 294, 298, 301, 305, 309, 312, 316, 320, 324, 328, 332, 336,
             340, 344, 348, 352, 357, 361, 365, 370, 374, 379, 383, 388, 392, 397, 402, 407, 412,
             417, 422, 427, 432, 437, 442, 448, 453, 459, 464, 470, 475, 481, 487, 493, 499, 505,
             511, 517, 523, 530, 536, 542, 549, 556, 562, 569, 576, 583, 590, 597, 604, 612, 619,
             626, 634, 642, 649, 657, 665, 673, 681, 690, 698, 706, 715, 723, 732, 741, 750, 759,
             768, 777, 787, 796, 806, 816, 825, 835, 845, 856, 866, 876, 887, 898, 909, 920, 931,
             942, 953, 965, 976, 988),
}  # fmt: skip

NAMES = (*_SERIES, "POWERSOF2")


def _check(value: Any) -> float:
    if value.__class__ not in (int, float):
        raise fail(
            f"A granularity rounder can only round numeric values, but found type: {type_name(value)}"
        )
    if value != value:
        raise fail("A granularity rounder cannot round NaN")
    if value < 0:
        raise fail("A granularity rounder can only round non-negative numbers")
    return float(value)


class SeriesRounder:
    def __init__(self, series: tuple[int, ...]) -> None:
        scale = 10 ** (len(str(series[0])) - 1)
        self.mantissas = tuple(s / scale for s in series)  # within [1, 10)

    def _around(self, number: float) -> list[float]:
        exponent = math.floor(math.log10(number))
        return [
            round(m * 10.0**e, 12)
            for e in (exponent - 1, exponent, exponent + 1)
            for m in self.mantissas
        ]

    def round_up(self, value: Any) -> Any:
        number = _check(value)
        if number == 0:
            return value
        return min(c for c in self._around(number) if c > number)

    def round_down(self, value: Any) -> Any:
        number = _check(value)
        if number == 0:
            return value
        return max(c for c in self._around(number) if c < number)


class PowersOf2Rounder:
    def round_up(self, value: Any) -> Any:
        number = _check(value)
        if number == 0:
            return value
        exponent = (
            value.bit_length() if value.__class__ is int else math.floor(math.log2(number)) + 1
        )
        return _power_of_two(exponent)

    def round_down(self, value: Any) -> Any:
        number = _check(value)
        if number == 0:
            return value
        if value.__class__ is int:
            exponent = value.bit_length() - (2 if value & (value - 1) == 0 else 1)
        else:
            exponent = math.ceil(math.log2(number)) - 1
        return _power_of_two(exponent)


def _power_of_two(exponent: int) -> int | float:
    """``{$pow: [2, exponent]}``: an integer for non-negative exponents, as MongoDB computes it."""
    return 2**exponent if exponent >= 0 else 2.0**exponent


def rounder(name: Any) -> SeriesRounder | PowersOf2Rounder:
    if name == "POWERSOF2":
        return PowersOf2Rounder()
    series = _SERIES.get(name) if isinstance(name, str) else None
    if series is None:
        raise fail(f"Unknown rounding granularity '{name}'; accepted: {', '.join(NAMES)}")
    return SeriesRounder(series)
