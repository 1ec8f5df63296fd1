"""Check that every figure embedded in a report decodes as an image."""

from __future__ import annotations

import base64
import re
import xml.dom.minidom

IMG_SRC = re.compile(r'<img src="([^"]*)"')


def decoded_figures(html: str) -> list[bytes]:
    """Every <img> of the page, decoded; fails on any that is not an inline SVG or PNG."""
    images = []
    for source in IMG_SRC.findall(html):
        header, _, payload = source.partition(",")
        assert header in ("data:image/svg+xml;base64", "data:image/png;base64"), source[:80]
        data = base64.b64decode(payload, validate=True)
        if header.startswith("data:image/svg"):
            xml.dom.minidom.parseString(data)
        else:
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
        images.append(data)
    return images
