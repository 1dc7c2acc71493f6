"""GPS points of interviews: read a geopoint answer and check that it lies in Kota Surakarta.

A geopoint answer is ODK's text form, "latitude longitude [altitude [accuracy]]" in
decimal degrees and metres (ODK Collect writes all four; a point typed by hand has two).

The city's outline below is a hand-simplified trace (66 vertices, within about 150 m) of
the administrative boundary of Kota Surakarta in Badan Informasi Geospasial's RBI
layer (about 47 km²). A point counts as inside when it lies in the outline or within
`TOLERANCE_M` of it: that covers the simplification and a phone's GPS error, so a
house on the city's edge is never turned away. Distances use an equirectangular
projection at the city's latitude, exact to well under a metre over 11 km.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TOLERANCE_M = 250.0
POOR_ACCURACY_M = 100.0  # a fix less precise than this is worth taking again

# (latitude, longitude), clockwise from the northern tip (Kadipiro / Mojosongo).
SURAKARTA: tuple[tuple[float, float], ...] = (
    (-7.5221, 110.8124), (-7.5282, 110.8278), (-7.5306, 110.8358), (-7.5333, 110.8417),
    (-7.5338, 110.8457), (-7.5334, 110.8506), (-7.5353, 110.8543), (-7.5335, 110.8569),
    (-7.5351, 110.8592), (-7.5371, 110.8568), (-7.5386, 110.8547), (-7.5399, 110.8596),
    (-7.5437, 110.8583), (-7.5479, 110.8571), (-7.5498, 110.8578), (-7.5476, 110.8619),
    (-7.5465, 110.8643), (-7.5457, 110.8657), (-7.5463, 110.8683), (-7.5475, 110.8690),
    (-7.5526, 110.8675), (-7.5563, 110.8673), (-7.5588, 110.8663), (-7.5611, 110.8621),
    (-7.5658, 110.8618), (-7.5689, 110.8605), (-7.5706, 110.8572), (-7.5699, 110.8550),
    (-7.5714, 110.8542), (-7.5748, 110.8547), (-7.5726, 110.8483), (-7.5763, 110.8464),
    (-7.5778, 110.8436), (-7.5820, 110.8414), (-7.5890, 110.8408), (-7.5903, 110.8402),
    (-7.5932, 110.8348), (-7.5949, 110.8325), (-7.5928, 110.8280), (-7.5952, 110.8219),
    (-7.5946, 110.8186), (-7.5919, 110.8169), (-7.5889, 110.8178), (-7.5852, 110.8138),
    (-7.5832, 110.8100), (-7.5803, 110.8070), (-7.5767, 110.8050), (-7.5730, 110.8035),
    (-7.5713, 110.8015), (-7.5722, 110.7985), (-7.5716, 110.7963), (-7.5731, 110.7910),
    (-7.5770, 110.7889), (-7.5782, 110.7873), (-7.5760, 110.7830), (-7.5726, 110.7839),
    (-7.5676, 110.7833), (-7.5632, 110.7830), (-7.5605, 110.7783), (-7.5552, 110.7787),
    (-7.5518, 110.7700), (-7.5453, 110.7709), (-7.5479, 110.7871), (-7.5488, 110.7961),
    (-7.5335, 110.8008), (-7.5255, 110.8114),
)

_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_GEOPOINT = re.compile(rf"\s*({_NUMBER})\s+({_NUMBER})(?:\s+({_NUMBER}))?(?:\s+({_NUMBER}))?\s*", re.ASCII)
_METRES_PER_DEGREE_LAT = 110_574.0
_METRES_PER_DEGREE_LON = 111_320.0 * math.cos(math.radians(-7.56))


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    altitude: float | None = None  # metres
    accuracy: float | None = None  # metres (the radius of 68% confidence the browser reports)

    def text(self) -> str:
        """The geopoint answer, "lat lon altitude accuracy" as ODK writes it (0 for an unknown altitude)."""
        if self.accuracy is None:
            return f"{self.lat:.6f} {self.lon:.6f}"
        return f"{self.lat:.6f} {self.lon:.6f} {self.altitude or 0:.1f} {self.accuracy:.1f}"


def parse_point(text: object) -> Point | None:
    """The point in a geopoint answer, or None when the text is not one."""
    match = _GEOPOINT.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    lat, lon = float(match[1]), float(match[2])
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    altitude = float(match[3]) if match[3] else None
    accuracy = float(match[4]) if match[4] else None
    return Point(lat, lon, altitude, accuracy)


def in_surakarta(lat: float, lon: float, tolerance_m: float = TOLERANCE_M) -> bool:
    """True when (lat, lon) lies in Kota Surakarta or within `tolerance_m` of its boundary."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return _inside(lat, lon) or distance_to_boundary_m(lat, lon) <= tolerance_m


def distance_to_boundary_m(lat: float, lon: float) -> float:
    """Metres from (lat, lon) to the nearest point of the city's outline."""
    px, py = _project(lat, lon)
    best = math.inf
    for (lat1, lon1), (lat2, lon2) in _edges():
        ax, ay = _project(lat1, lon1)
        bx, by = _project(lat2, lon2)
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


def _inside(lat: float, lon: float) -> bool:
    """Ray casting (even-odd rule) on the outline."""
    inside = False
    for (lat1, lon1), (lat2, lon2) in _edges():
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def _edges():
    return zip(SURAKARTA, SURAKARTA[1:] + SURAKARTA[:1])


def _project(lat: float, lon: float) -> tuple[float, float]:
    return lon * _METRES_PER_DEGREE_LON, lat * _METRES_PER_DEGREE_LAT
