"""The XForms the OpenRosa server hands to Collect: valid for JavaRosa (ODK Validate), and a new md5 when
the questionnaire changes, so that Collect offers the update."""

from __future__ import annotations

import shutil

import pytest
from pyxform.validators.odk_validate import check_xform

from analysis.export.xlsform.xform import xform
from survey.questionnaire.model import STUDY_INSTRUMENTS, instrument_from_yaml, load_instrument

JAVA = shutil.which("java") is not None


@pytest.mark.skipif(not JAVA, reason="ODK Validate needs Java (Debian: default-jre-headless, installed by .ci/run)")
@pytest.mark.parametrize("name", STUDY_INSTRUMENTS)
def test_odk_validate_accepts_every_served_xform(name, tmp_path):
    path = tmp_path / f"{name}.xml"
    path.write_bytes(xform(load_instrument(name)).xml)
    check_xform(str(path))  # raises ODKValidateError with JavaRosa's message otherwise


FORM = """
id: small
version: {version}
title: {{id: Kecil, en: Small}}
questions:
  - {{name: age, type: integer, label: {{id: "{label}", en: Age}}, min: 0, max: 120}}
"""


def test_the_md5_changes_with_the_questionnaire_and_is_cached_per_content():
    first = xform(instrument_from_yaml(FORM.format(version=1, label="Umur")))
    assert xform(instrument_from_yaml(FORM.format(version=1, label="Umur"))) is first  # made once
    relabelled = xform(instrument_from_yaml(FORM.format(version=1, label="Usia")))
    bumped = xform(instrument_from_yaml(FORM.format(version=2, label="Umur")))
    assert len({first.md5, relabelled.md5, bumped.md5}) == 3
    assert bumped.version == "2" and b'version="2"' in bumped.xml
