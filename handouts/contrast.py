"""Colour contrast as WCAG 2.1 defines it: relative luminance and the ratio of two colours.

Pure arithmetic on sRGB triples (0-1) or #rrggbb strings, shared by the layout (which darkens
a brand colour too light to read) and by `handouts check` (which reports it).
"""

from __future__ import annotations

AA_TEXT = 4.5  # WCAG 2.1 AA for normal-size text
WHITE = (1.0, 1.0, 1.0)

RGB = tuple[float, float, float]


def rgb(hex_color: str) -> RGB:
    """#rrggbb as three channels from 0 to 1."""
    value = hex_color.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def hex_of(color: RGB) -> str:
    """Three channels from 0 to 1 as #rrggbb."""
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in color)


def luminance(color: RGB) -> float:
    """Relative luminance of an sRGB colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = color
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def ratio(foreground: RGB, background: RGB = WHITE) -> float:
    """The contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tint(color: RGB, strength: float) -> RGB:
    """`color` mixed into white: the light background of a callout."""
    return (1 - strength * (1 - color[0]), 1 - strength * (1 - color[1]), 1 - strength * (1 - color[2]))


def readable(color: RGB, background: RGB = WHITE, least: float = AA_TEXT) -> RGB:
    """`color`, darkened in small steps just until text in it reaches `least` against `background`."""
    while ratio(color, background) < least and max(color) > 0:
        color = (color[0] * 0.92, color[1] * 0.92, color[2] * 0.92)
    return color
