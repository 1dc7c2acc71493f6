"""A questionnaire as the ODK XForm that Collect downloads: our XLSForm export through pyxform.

pyxform takes about 0.2 s for the household questionnaire, and Collect asks for the form
list and the form again and again, so each XForm is made once per questionnaire content:
the cache key is the XLSForm's sheets, so an edited questionnaire (with or without a new
version number) gets a new XForm and a new md5 in the form list, and Collect offers the update.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from pyxform.xls2xform import convert

from analysis.export.xlsform.xlsform import sheets, xlsform
from survey.questionnaire.model import Instrument


@dataclass(frozen=True)
class XForm:
    form_id: str
    version: str
    title: str
    xml: bytes

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xml).hexdigest()


_cache: dict[str, XForm] = {}
_lock = threading.Lock()


def xform(inst: Instrument) -> XForm:
    """The XForm of `inst` (cached per questionnaire content)."""
    cells = sheets(inst)
    key = hashlib.sha256(json.dumps(cells, sort_keys=True).encode("utf-8")).hexdigest()
    with _lock:
        found = _cache.get(key)
    if found is None:
        xml = convert(xlsform(inst, user="odk", audit=None), validate=False).xform.encode("utf-8")
        settings = dict(zip(*cells["settings"]))
        found = XForm(inst.id, str(inst.version), settings["form_title"], xml)
        with _lock:
            _cache[key] = found
    return found
