"""British National Grid to latitude and longitude, for placing the demo borough's addresses.

Addresses carry both, as an LLPG does. The grid is converted with the Ordnance Survey's
transverse Mercator formulae (OSGB36 on the Airy 1830 ellipsoid) and then a seven-parameter
Helmert shift to WGS84, which is good to a few metres: far better than a demo needs, and cheap
enough for 150,000 addresses.
"""

import math

_AIRY_A, _AIRY_B = 6377563.396, 6356256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_E0, _N0 = 400000.0, -100000.0
_N = (_AIRY_A - _AIRY_B) / (_AIRY_A + _AIRY_B)
_E2 = 1 - (_AIRY_B / _AIRY_A) ** 2

# OSGB36 to WGS84: the OS's published WGS84-to-OSGB36 parameters, negated.
_TX, _TY, _TZ = 446.448, -125.157, 542.060
_S = -20.4894e-6
_RX, _RY, _RZ = (math.radians(seconds / 3600) for seconds in (0.1502, 0.2470, 0.8421))
_WGS_A, _WGS_B = 6378137.0, 6356752.3142


def _meridional_arc(lat: float) -> float:
    n, d, s = _N, lat - _LAT0, lat + _LAT0
    return (
        _AIRY_B
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """Latitude and longitude in radians on OSGB36 (OS guide, annex C)."""
    lat = (northing - _N0) / (_AIRY_A * _F0) + _LAT0
    arc = _meridional_arc(lat)
    while abs(northing - _N0 - arc) >= 0.00001:
        lat += (northing - _N0 - arc) / (_AIRY_A * _F0)
        arc = _meridional_arc(lat)
    sin_lat, tan_lat = math.sin(lat), math.tan(lat)
    sec_lat = 1 / math.cos(lat)
    nu = _AIRY_A * _F0 / math.sqrt(1 - _E2 * sin_lat**2)
    rho = _AIRY_A * _F0 * (1 - _E2) / (1 - _E2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    t2, t4, t6 = tan_lat**2, tan_lat**4, tan_lat**6
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec_lat / nu
    xi = sec_lat / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec_lat / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec_lat / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - _E0
    latitude = lat - vii * de**2 + viii * de**4 - ix * de**6
    longitude = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return latitude, longitude


def _to_cartesian(lat: float, lon: float, a: float, b: float) -> tuple[float, float, float]:
    e2 = 1 - (b / a) ** 2
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _from_cartesian(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    e2 = 1 - (b / a) ** 2
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(5):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return lat, math.atan2(y, x)


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees on WGS84 for a National Grid point."""
    lat, lon = grid_to_osgb36(easting, northing)
    x, y, z = _to_cartesian(lat, lon, _AIRY_A, _AIRY_B)
    s = 1 + _S
    x2 = _TX + s * x - _RZ * y + _RY * z
    y2 = _TY + _RZ * x + s * y - _RX * z
    z2 = _TZ - _RY * x + _RX * y + s * z
    lat, lon = _from_cartesian(x2, y2, z2, _WGS_A, _WGS_B)
    return math.degrees(lat), math.degrees(lon)
