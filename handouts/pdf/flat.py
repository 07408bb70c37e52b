"""Flatten a tagged form's fields and keep it tagged (PDF/UA): each value becomes content of the tree.

qpdf's flattening draws each widget's appearance into its page as untagged content, and leaves
the structure tree pointing at widgets that are gone. Here each printable widget's appearance
is drawn as marked content with an MCID of its own, in the page's ParentTree, and its Form
element becomes a P holding that content (a text field: the value is read out after its
label) or, for a checkbox, a P whose /ActualText is a check mark; an unchecked box has no
content left and its element goes. Then no widget remains for qpdf to flatten.
"""

from __future__ import annotations

from typing import Any

HIDDEN, PRINT = 2, 4  # annotation flags


def flatten_tagged(document: Any) -> None:
    """Draw every widget of the pikepdf `document` into its page as tagged content, and remove the widgets."""
    import pikepdf

    tree = document.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    gone: set[int] = set()  # ParentTree keys of the widgets removed
    for page in document.pages:
        annots = page.obj.get("/Annots")
        if annots is None or "/StructParents" not in page.obj:
            continue
        owners = parents[int(page.obj.StructParents)]  # the element of each MCID on this page
        kept, code = [], []
        for annot in annots:
            if annot.get("/Subtype") != "/Widget":
                kept.append(annot)
                continue
            key = int(annot.get("/StructParent", -1))
            element = parents.get(key)
            gone.add(key)
            appearance = _appearance(annot)
            flags = int(annot.get("/F", 0))
            if element is None:
                continue
            _drop_objr(element, annot)
            if appearance is None or flags & HIDDEN or not flags & PRINT or _off(annot):
                _remove(element)
                continue
            name = page.add_resource(appearance, pikepdf.Name.XObject, name=_free_name(page, "/Fld"))
            mcid = len(owners)
            owners.append(element)
            code.append(f"/P <</MCID {mcid}>> BDC q {_placement(annot, appearance)} cm {name} Do Q EMC")
            element.S = pikepdf.Name.P
            element.K = pikepdf.Array([*_kids(element), pikepdf.Dictionary(
                Type=pikepdf.Name.MCR, Pg=page.obj, MCID=mcid)])
            if _field_type(annot) == "/Btn":
                element.ActualText = pikepdf.String("\u2713")  # a check mark: what the box shows
        if code:
            page.contents_add(pikepdf.Stream(document, "\n".join(code).encode()), prepend=False)
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        else:
            del page.obj["/Annots"]
    tree.ParentTree.Nums = pikepdf.Array([item for i in range(0, len(nums), 2) if int(nums[i]) not in gone
                                          for item in (nums[i], nums[i + 1])])


def _free_name(page: Any, prefix: str) -> Any:
    """The first XObject name `prefix`1, `prefix`2, ... the page does not use: chosen, not random
    (pikepdf's own prefix= names are), so the same input gives the same bytes."""
    import pikepdf

    used = page.obj.get("/Resources", {}).get("/XObject", {})
    number = 1
    while f"{prefix}{number}" in used:
        number += 1
    return pikepdf.Name(f"{prefix}{number}")


def _appearance(annot: Any) -> Any:
    """The normal appearance stream a viewer draws for the widget now, or None."""
    import pikepdf

    normal = annot.get("/AP", {}).get("/N")
    if isinstance(normal, pikepdf.Dictionary) and not isinstance(normal, pikepdf.Stream):
        normal = normal.get(str(annot.get("/AS", "/Off")))
    return normal if isinstance(normal, pikepdf.Stream) else None


def _off(annot: Any) -> bool:
    return _field_type(annot) == "/Btn" and str(annot.get("/AS", "/Off")) == "/Off"


def _field_type(annot: Any) -> str:
    while annot is not None and "/FT" not in annot:
        annot = annot.get("/Parent")
    return str(annot.FT) if annot is not None else ""


def _kids(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


def _drop_objr(element: Any, annot: Any) -> None:
    """The element without its reference to the widget."""
    import pikepdf

    element.K = pikepdf.Array([kid for kid in _kids(element) if not (
        isinstance(kid, pikepdf.Dictionary) and "/Obj" in kid and kid.Obj.objgen == annot.objgen)])


def _remove(element: Any) -> None:
    """Take an element with nothing left in it out of its parent."""
    import pikepdf

    if not _kids(element):
        parent = element.P
        parent.K = pikepdf.Array([kid for kid in _kids(parent) if not (
            isinstance(kid, pikepdf.Dictionary) and kid.objgen == element.objgen)])


def _placement(annot: Any, appearance: Any) -> str:
    """The matrix that puts the appearance's box on the widget's rectangle (ISO 32000-1, 12.5.5)."""
    a, b, c, d, e, f = (float(v) for v in appearance.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    x0, y0, x1, y1 = (float(v) for v in appearance.BBox)
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (x0, x1) for y in (y0, y1)]
    left, bottom = min(x for x, _ in corners), min(y for _, y in corners)
    right, top = max(x for x, _ in corners), max(y for _, y in corners)
    rx0, ry0, rx1, ry1 = (float(v) for v in annot.Rect)
    sx = (max(rx0, rx1) - min(rx0, rx1)) / (right - left) if right > left else 1.0
    sy = (max(ry0, ry1) - min(ry0, ry1)) / (top - bottom) if top > bottom else 1.0
    return f"{sx:.6g} 0 0 {sy:.6g} {min(rx0, rx1) - left * sx:.6g} {min(ry0, ry1) - bottom * sy:.6g}"
