"""An XForm instance (what ODK Collect and KoboCollect submit) read into our answers dict.

The instance is parsed with defusedxml: no DTD, no entities, no network, so an XML bomb
(entity expansion) or an external entity is refused as unparseable. The elements map
onto the questionnaire by name: a group (a section of our export, or any group a form
adds) is looked into, a repeat's elements become the roster's member dicts, a
select_multiple's space-separated names and dates and geopoints stay as ODK writes them
(the question types read those forms), an empty element is an unanswered question, and
meta (instanceID, deprecatedID) is read apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from survey.questionnaire.model import Instrument, Question

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UUID = re.compile(r"uuid:([0-9A-Fa-f-]{1,64})")


class InstanceError(ValueError):
    """The body is not an XForm instance we can read (the reason says why)."""


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str | None
    instance_id: str | None
    deprecated_id: str | None
    root: Element = field(repr=False)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def response_id_for(instance_id: str) -> str:
    """Our response id for an ODK instanceID: the uuid without 'uuid:', or else (any other id) a safe id
    derived from it, the same every time."""
    match = _UUID.fullmatch(instance_id.strip())
    if match:
        return match[1].lower()
    if _SAFE_ID.fullmatch(instance_id):
        return instance_id
    return "odk-" + hashlib.sha256(instance_id.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def parse(body: bytes) -> Instance:
    """The instance in `body`, or InstanceError (not XML, a DTD or entity, no form id)."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InstanceError(f"refused XML ({type(exc).__name__}): no DTD or entities are accepted") from None
    except (ParseError, ValueError) as exc:
        raise InstanceError(f"not well-formed XML: {exc}") from None
    form_id = root.get("id")
    if not form_id:
        raise InstanceError(f"the root element <{_local(root.tag)}> has no form id")
    meta = {}
    for child in root:
        if _local(child.tag) == "meta":
            meta = {_local(m.tag): (m.text or "").strip() for m in child}
    return Instance(form_id, root.get("version"), meta.get("instanceID") or None, meta.get("deprecatedID") or None,
                    root)


def _stores(q: Question) -> bool:
    return q.kind.is_repeat or q.stores_answer


def _read_level(element: Element, questions: tuple[Question, ...], out: dict[str, Any]) -> None:
    by_name = {q.name: q for q in questions if _stores(q)}
    for child in element:
        name = _local(child.tag)
        if child.get("{http://openrosa.org/javarosa}template") is not None or name == "meta":
            continue
        q = by_name.get(name)
        if q is None:
            if len(child):  # a group: its questions are on this level
                _read_level(child, questions, out)
            continue  # a note, a field only the form has (nothing of ours to fill)
        if q.kind.is_repeat:
            member: dict[str, Any] = {}
            _read_level(child, q.questions, member)
            out.setdefault(name, []).append(member)
            continue
        text = (child.text or "").strip()
        if text:
            out[name] = text.split() if q.kind.choices == "many" else text


def answers(inst: Instrument, instance: Instance) -> dict[str, Any]:
    """The answers dict the entry form would produce for this instance (not yet validated)."""
    out: dict[str, Any] = {}
    _read_level(instance.root, inst.questions, out)
    return out
