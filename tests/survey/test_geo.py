"""The Surakarta bounds check and geopoint answers, as plain functions."""

import math

import pytest

from survey.fieldwork.geo import SURAKARTA, TOLERANCE_M, Point, distance_to_boundary_m, in_surakarta, parse_point

# Places whose side of the city boundary is not in doubt.
INSIDE = {
    "Balai Kota Surakarta": (-7.5695, 110.8290),
    "Stadion Manahan": (-7.5560, 110.8060),
    "Keraton Kasunanan": (-7.5776, 110.8276),
    "Universitas Sebelas Maret (Kentingan)": (-7.5600, 110.8560),
    "Pasar Gede": (-7.5690, 110.8310),
    "Terminal Tirtonadi": (-7.5525, 110.8180),
}
OUTSIDE = {
    "Solo Baru (Sukoharjo)": (-7.6045, 110.8247),
    "Kartasura (Sukoharjo)": (-7.5540, 110.7440),
    "Palur (Karanganyar)": (-7.5640, 110.8800),
    "Colomadu (Karanganyar)": (-7.5330, 110.7700),
    "Bandara Adi Soemarmo (Boyolali)": (-7.5161, 110.7569),
    "Monas, Jakarta": (-6.1754, 106.8272),
}


@pytest.mark.parametrize("place", INSIDE)
def test_points_in_the_city_are_inside(place):
    assert in_surakarta(*INSIDE[place])


@pytest.mark.parametrize("place", OUTSIDE)
def test_points_of_the_neighbouring_regencies_are_outside(place):
    assert not in_surakarta(*OUTSIDE[place])


def test_a_house_on_the_boundary_is_not_turned_away():
    lat, lon = SURAKARTA[20]
    assert distance_to_boundary_m(lat, lon) == pytest.approx(0, abs=1e-6)
    metres_east = 150 / (111_320 * math.cos(math.radians(lat)))
    assert in_surakarta(lat, lon + metres_east)  # just outside the eastern edge, within the tolerance
    assert not in_surakarta(lat, lon + 3 * TOLERANCE_M / (111_320 * math.cos(math.radians(lat))))


def test_the_outline_covers_the_citys_area():
    # 44-47 km² depending on the source: the outline must not be a rough box.
    metres = [(lon * 111_320 * math.cos(math.radians(-7.56)), lat * 110_574) for lat, lon in SURAKARTA]
    area = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(metres, metres[1:] + metres[:1]))) / 2
    assert 43e6 < area < 49e6


def test_nonsense_is_never_inside():
    assert not in_surakarta(float("nan"), 110.82)
    assert not in_surakarta(-7.56, float("inf"))


@pytest.mark.parametrize("text, point", [
    ("-7.5666 110.8166", Point(-7.5666, 110.8166)),
    ("  -7.5666   110.8166 ", Point(-7.5666, 110.8166)),
    ("-7.566600 110.816600 95.0 12.5", Point(-7.5666, 110.8166, 95.0, 12.5)),
    ("-7.5 110.8 95", Point(-7.5, 110.8, 95.0)),
])
def test_geopoint_answers_are_read(text, point):
    assert parse_point(text) == point


@pytest.mark.parametrize("text", ["", "-7.5666", "-7.5666,110.8166", "lat lon", "95 110", "-7.5 190", None, 5])
def test_what_is_not_a_geopoint_gives_none(text):
    assert parse_point(text) is None


def test_a_browser_fix_is_written_as_odk_does():
    assert Point(-7.56661234, 110.81661234, None, 12.3).text() == "-7.566612 110.816612 0.0 12.3"
    assert Point(-7.5666, 110.8166, 101.25, 8).text() == "-7.566600 110.816600 101.2 8.0"
    assert Point(-7.5666, 110.8166).text() == "-7.566600 110.816600"
    assert parse_point(Point(-7.5666, 110.8166, 101.2, 8).text()) == Point(-7.5666, 110.8166, 101.2, 8.0)
