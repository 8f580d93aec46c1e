"""The organisation's lambang (coat of arms): which files may be one, judged by their content.

A lambang is printed in every letter's kop, base64-encoded into the HTML and the PDF, so whatever
`kop.lambang` names ends up inside documents that leave the office. Only an image is taken:
PNG or JPEG (by their signature, not their name) or an SVG drawing, at most `MAX_BYTES`, read
from a regular file. An SVG is parsed and rebuilt from a list of drawing elements and attributes:
no scripts, no event handlers, no `<foreignObject>`, no `<image>`, no link or `url()` that leaves
the drawing, and no DOCTYPE (so no entities at all). `check_lambang` is the one gate: the
organisation file (`organisation.read_organisation`) and any command that copies a lambang in
call it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from sop_cli.errors import DefinitionError
from sop_cli.i18n import _

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_BYTES = 2 * 1024 * 1024
"""A lambang larger than this is refused: it is copied into every letter."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"

#: The drawing elements an SVG lambang may hold (SVG 1.1 shapes, text, paint servers, grouping).
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker",
})
#: Their attributes (presentation attributes included); `style` is kept only without `url(` to
#: anything but a `#fragment`, and without `@import` or `expression(`.
SVG_ATTRIBUTES = frozenset({
    "id", "class", "style", "transform", "viewBox", "preserveAspectRatio", "width", "height", "x", "y",
    "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points", "pathLength",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity",
    "clip-path", "clip-rule", "mask", "color", "display", "visibility", "font-family", "font-size",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "dx", "dy",
    "rotate", "textLength", "lengthAdjust", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
    "clipPathUnits", "maskUnits", "maskContentUnits", "markerWidth", "markerHeight", "refX", "refY",
    "orient", "markerUnits", "marker-start", "marker-mid", "marker-end", "version", "href",
})
_URL = re.compile(r"url\s*\(\s*(['\"]?)\s*([^'\")\s]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Lambang:
    """A checked lambang: its bytes (an SVG as rebuilt) and media type."""

    data: bytes
    mime: str

    @property
    def suffix(self) -> str:
        """The file suffix its content calls for (`.png`, `.jpg`, `.svg`)."""
        return {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}[self.mime]

    def data_uri(self) -> str:
        """The image as a `data:` URL, the only way it enters a document."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def name_problem(name: str) -> str | None:
    """What is wrong with `name` as `kop.lambang` (a plain file name in the organisation's folder),
    or None."""
    if not name.strip():
        return _("an empty name; give the file name of an image beside the organisation file, or null")
    if "\x00" in name or any(ord(c) < 32 for c in name):
        return _("{name!r} holds control characters; give a plain file name").format(name=name)
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith(("~", "/", "\\")):
        return _("{name!r} is a path; give the plain name of an image file beside the organisation file, "
                 "e.g. lambang.png").format(name=name)
    if len(windows.parts) != 1 or name in (".", ".."):
        return _("{name!r} reaches into other folders; give the plain name of an image file beside the "
                 "organisation file, e.g. lambang.png").format(name=name)
    return None


def lambang_in(folder: Path, name: str) -> Lambang:
    """The lambang named `name` (from `kop.lambang`) in the organisation's `folder`, checked.

    Raises:
        DefinitionError: The name is not a plain file name, the file is missing, leads outside
            `folder` through a link, or is not an image `check_lambang` accepts; `details["problem"]`
            holds the reason alone, for a caller that adds the location.
    """
    problem = name_problem(name)
    if problem is None:
        path = folder / name
        try:
            inside = path.resolve(strict=True).is_relative_to(folder.resolve(strict=True))
        except (OSError, RuntimeError):
            problem = _("no image {image!r} beside the organisation file").format(image=name)
        else:
            if not inside:
                problem = _("{name!r} is a link to a file outside the organisation's folder; put the image itself "
                            "there").format(name=name)
            else:
                return check_lambang(path)
    raise _problem(folder / name, problem)


def check_lambang(path: Path) -> Lambang:
    """The lambang image in the file `path`, checked by content (PNG, JPEG or sanitised SVG, at
    most `MAX_BYTES`, a regular file: a FIFO or device is refused without blocking).

    Raises:
        DefinitionError: "PATH: problem", with `details` {"path", "problem"}.
    """
    from sop_cli.fs import NotRegularFile, TooLarge, read_regular

    try:
        data = read_regular(path, max_bytes=MAX_BYTES)
    except NotRegularFile:
        raise _problem(path, _("not a regular file; a lambang is an image file")) from None
    except TooLarge as error:
        raise _problem(path, _("{size} bytes, over the {limit} a lambang may have (it is copied into every "
                               "letter); save it smaller").format(size=error.size, limit=MAX_BYTES)) from None
    except FileNotFoundError:
        raise _problem(path, _("no such file")) from None
    except OSError as error:
        raise _problem(path, _("cannot be read ({reason})").format(reason=error.strerror or error)) from None
    if data.startswith(PNG_SIGNATURE):
        if data[8:16] != b"\x00\x00\x00\rIHDR" or not int.from_bytes(data[16:20], "big") or not int.from_bytes(
                data[20:24], "big"):
            raise _problem(path, _("a damaged PNG (no image header); save the image again"))
        return Lambang(data, "image/png")
    if data.startswith(JPEG_SIGNATURE):
        return Lambang(data, "image/jpeg")
    svg = _svg(data)
    if isinstance(svg, bytes):
        return Lambang(svg, "image/svg+xml")
    raise _problem(path, svg or _("not an image: a lambang is a PNG, JPEG or SVG file"))


def _problem(path: Path, problem: str) -> DefinitionError:
    error = DefinitionError(f"{path}: {problem}")
    error.details = {"path": str(path), "problem": problem}
    return error


def _svg(data: bytes) -> bytes | str | None:
    """The SVG rebuilt from its allowed parts; a reason (str) when it is an SVG we refuse; None
    when it is no SVG at all."""
    import xml.etree.ElementTree as ElementTree

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    head = text.lstrip()[:4096]
    if not head.startswith("<") or "<svg" not in text[:65536]:
        return None
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return _("an SVG with a DOCTYPE or entities; save it as plain SVG (no DOCTYPE)")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        return _("not a well-formed SVG ({error})").format(error=error)
    if root.tag != f"{{{SVG}}}svg":
        return None
    clean = _clean(root)
    ElementTree.register_namespace("", SVG)
    ElementTree.register_namespace("xlink", XLINK)
    rebuilt: bytes = ElementTree.tostring(clean, encoding="utf-8", xml_declaration=True)
    return rebuilt


def _clean(element: Element) -> Element:
    """A copy of `element` with only the allowed elements and attributes (recursively)."""
    import xml.etree.ElementTree as ElementTree

    copy = ElementTree.Element(element.tag)
    copy.text, copy.tail = element.text, element.tail
    for name, value in element.attrib.items():
        local = name.rsplit("}", 1)[-1]
        namespace = name[1:].split("}", 1)[0] if name.startswith("{") else ""
        if namespace not in ("", XLINK) or local not in SVG_ATTRIBUTES or local.lower().startswith("on"):
            continue
        if local == "href" and not value.strip().startswith("#"):
            continue  # a link to anything but a part of this drawing
        if _leaves(value):
            continue
        copy.set(name, value)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.startswith(f"{{{SVG}}}") and tag.split("}", 1)[1] in SVG_ELEMENTS:
            copy.append(_clean(child))
        elif len(copy):
            copy[-1].tail = (copy[-1].tail or "") + (child.tail or "")
        else:
            copy.text = (copy.text or "") + (child.tail or "")
    return copy


def _leaves(value: str) -> bool:
    """Whether an attribute value refers to anything outside the drawing (or can run code)."""
    lowered = value.lower()
    if "@import" in lowered or "expression(" in lowered or "javascript:" in lowered:
        return True
    return any(not target.startswith("#") for _quote, target in _URL.findall(value))
