"""Instances written as ODK Collect writes them, and the multipart body it posts.

The instance is the XForm's primary instance filled in: the root element named and
attributed as in the form (id, version), the javarosa and openrosa namespaces declared,
groups nested as the form nests them, one element per repeat member (the jr:template
one left out, as Collect does), select_multiple as space-separated names, and
meta/instanceID (plus meta/deprecatedID for an edit) last.
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.etree import ElementTree as ET

XF = "http://www.w3.org/2002/xforms"
JR = "http://openrosa.org/javarosa"
ORX = "http://openrosa.org/xforms"


def _template(xform: bytes) -> ET.Element:
    root = ET.fromstring(xform)
    model = root.find(f".//{{{XF}}}model")
    return model.find(f"{{{XF}}}instance")[0]


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fill(template: ET.Element, answers: dict, out: ET.Element) -> None:
    repeats_done: set[str] = set()
    for child in template:
        name = _local(child.tag)
        if child.get(f"{{{JR}}}template") is not None or name in repeats_done:
            if name in answers and name not in repeats_done:
                repeats_done.add(name)
                for member in answers[name]:
                    el = ET.SubElement(out, name)
                    _fill(child, member, el)
            continue
        if name == "meta":
            continue
        el = ET.SubElement(out, name)
        if len(child):
            _fill(child, answers, el)
        elif name in answers:
            el.text = _value(answers[name])


def instance(xform: bytes, answers: dict, instance_id: str | None = None, deprecated_id: str | None = None,
             version: str | None = None) -> bytes:
    """The instance XML Collect would send for `answers` filled in the form `xform`."""
    template = _template(xform)
    ET.register_namespace("jr", JR)
    ET.register_namespace("orx", ORX)
    root = ET.Element(_local(template.tag), {"id": template.get("id"), "version": version or template.get("version")})
    root.set(f"{{{JR}}}dummy", "x")  # declare the namespaces Collect declares (removed below)
    root.set(f"{{{ORX}}}dummy", "x")
    _fill(template, answers, root)
    meta = ET.SubElement(root, f"{{{ORX}}}meta")
    ET.SubElement(meta, f"{{{ORX}}}instanceID").text = instance_id or f"uuid:{uuid.uuid4()}"
    if deprecated_id:
        ET.SubElement(meta, f"{{{ORX}}}deprecatedID").text = deprecated_id
    text = ET.tostring(root, encoding="unicode")
    text = text.replace(' jr:dummy="x"', "").replace(' orx:dummy="x"', "")
    return ("<?xml version='1.0' ?>" + text).encode("utf-8")


def multipart(instance_xml: bytes, attachments: dict[str, bytes] | None = None) -> dict:
    """httpx `files=` for the POST: xml_submission_file first, then each attachment."""
    files = [("xml_submission_file", ("submission.xml", instance_xml, "text/xml"))]
    for name, data in (attachments or {}).items():
        files.append((name, (name, data, "image/jpeg")))
    return {"files": files}
