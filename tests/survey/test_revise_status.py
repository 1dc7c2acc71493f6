"""revise(status=...): a corrected rejected interview goes back to "submitted", nothing else changes."""

import pytest

from survey import ConflictError, ResponseStore, ValidationError
from survey.simulate import generate

AGENCY = generate("agency", 1, seed=4)[0]


@pytest.fixture
def store(tmp_path):
    store = ResponseStore(tmp_path)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    store.set_status("agency", "a-1", "rejected", editor="sup1", note="staff count?", base_revision=1)
    return store


def test_a_corrected_rejection_is_submitted_again(store):
    fixed = {**AGENCY, "staff_count": AGENCY["staff_count"] + 1}
    receipt = store.revise("agency", "a-1", fixed, editor="enum01", note="fixed", base_revision=2, status="submitted")
    assert receipt.revision == 3
    row = store.read("agency").set_index("_response_id").loc["a-1"]
    assert (row["_status"], row["_enumerator"], row["_editor"], row["staff_count"]) == (
        "submitted", "enum01", "enum01", AGENCY["staff_count"] + 1)
    assert store.history("agency", "a-1")["_status"].tolist() == ["submitted", "rejected", "submitted"]
    entry = [e for e in store.audit.entries() if e["action"] == "revise"][-1]
    assert entry["object"] == "agency/a-1" and entry["detail"] == {"revision": 3, "status": "submitted"}


def test_without_status_the_revision_keeps_the_review_decision(store):
    store.revise("agency", "a-1", AGENCY, editor="sup1", base_revision=2)
    assert store.read("agency").set_index("_response_id").loc["a-1", "_status"] == "rejected"
    assert [e for e in store.audit.entries() if e["action"] == "revise"][-1]["detail"] == {"revision": 3}


def test_the_other_guarantees_hold(store):
    with pytest.raises(ValueError, match="status must be one of"):
        store.revise("agency", "a-1", AGENCY, editor="enum01", base_revision=2, status="deleted")
    with pytest.raises(ConflictError):
        store.revise("agency", "a-1", AGENCY, editor="enum01", base_revision=1, status="submitted")
    with pytest.raises(ValidationError):
        store.revise("agency", "a-1", {**AGENCY, "staff_count": -5}, editor="enum01", base_revision=2,
                     status="submitted")
    assert store.history("agency", "a-1")["_revision"].tolist() == [1, 2]
    assert store.read("agency").set_index("_response_id").loc["a-1", "_status"] == "rejected"
