"""The fieldwork monitor through AppTest, on a simulated field team with bad interviews.

The numbers on the page are those of ``analysis`` and ``survey.fieldwork.quality`` called
directly; a rejected interview leaves the monitor's and the analysis's counts.
AppTest does not fire ``run_every``: the refresh is tested as the cached read it is.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from analysis.dataset.datafiles import read_csv
from analysis.dataset.dataset import load_dataset
from analysis.dataset.response_rates import response_rates
from analysis.monitoring.precision import precision_tracker
from analysis.monitoring.progress import visits
from survey import ResponseStore
from survey import locale as formatting
from survey.fieldwork.quality import durations, flags
from survey.simulate import generate
from survey.simulate import main as simulate
from tests.support.app import open_app
from ui.i18n import t
from ui.results import data_cache as data
from ui.supervision import monitor_data


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    root = tmp_path_factory.mktemp("field")
    simulate(["--households", "60", "--civil-servants", "6", "--seed", "12", "--outcomes", "--bad", "2",
              "--out", str(root)])
    return root


@pytest.fixture
def store(field, data_dir):
    shutil.copytree(field, data_dir)
    return ResponseStore(data_dir)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def open_precision(at, lang="en"):
    """Choose the precision tab (its content runs only when it is open)."""
    at.session_state[f"monitor_tab_{lang}"] = t("tab_precision", lang)
    at.run()
    assert not at.exception, at.exception


def monitor(data_dir, lang="en"):
    at = open_app(data_dir, "sup1", "supervisor")   # the monitor is a supervisor's first page
    assert not at.exception, at.exception
    if lang != "en":
        at.radio(key="lang").set_value(lang).run()
    return at


def test_the_numbers_are_those_of_the_analysis(store, data_dir):
    at = monitor(data_dir)
    inst = store.instrument("household")
    records = store.read("household")
    frame = read_csv(data_dir / "frame.csv")
    seen = visits(inst, records, durations(store, "household"))
    overall = response_rates(inst, records, frame, "overall").iloc[0]
    raised = flags(store, "household")
    shown = metrics(at)
    assert shown["Visits"] == str(len(seen)) == str(len(records))
    assert shown["Completed interviews"] == str(int((seen["disposition"] == "complete").sum()))
    assert shown["Response rate"] == formatting.percent(overall["rr1_visited"], "en")
    assert shown["Flagged interviews"] == str(raised["_response_id"].nunique())
    assert shown["Too fast"] == "2" and int(shown["Repeated household"]) >= 4   # the two copies and their originals
    assert shown["Waiting for review"] == str(len(records)) and shown["Approved"] == "0"
    data = load_dataset(store, "household")
    assert at.caption[0].value.startswith(f"{data.provenance.responses} responses, the last at ")
    precision = precision_tracker(data, frame)
    assert not any("MOE at target" in d.value.columns for d in at.dataframe)   # its tab runs only when opened
    open_precision(at)
    hh6 = next(d.value for d in at.dataframe if "MOE at target" in d.value.columns)
    assert hh6["Estimate"].tolist() == [formatting.percent(v, "en") for v in precision["estimate"][:6]]
    assert hh6["n"].iloc[-1] == str(data.provenance.responses)
    rates = next(d.value for d in at.dataframe if "RR1 of the sample" in d.value.columns)
    assert rates.iloc[-1]["RR1 of the sample"] == formatting.percent(overall["rr1"], "en")
    assert rates.iloc[-1]["District (kecamatan)"] == "All"


def test_a_rejected_interview_leaves_the_monitor_and_the_analysis(store, data_dir):
    at = monitor(data_dir)
    before = metrics(at)
    n_before = load_dataset(store, "household").provenance.responses
    records = store.read("household")
    done = records[(records["visit_outcome"] == "completed") & (records["consent"] == "yes")]
    rid = done["_response_id"].iloc[0]
    store.set_status("household", rid, "rejected", editor="sup1", note="fabricated?")
    open_precision(at)   # (and run again)
    after = metrics(at)
    assert int(after["Completed interviews"]) == int(before["Completed interviews"]) - 1
    assert int(after["Visits"]) == int(before["Visits"]) - 1
    assert after["Rejected, back to enumerators"] == "1"
    data = load_dataset(store, "household")
    assert data.provenance.responses == n_before - 1 and rid not in set(data.main.frame["_response_id"])
    assert at.caption[0].value.startswith(f"{n_before - 1} responses")
    hh6 = next(d.value for d in at.dataframe if "MOE at target" in d.value.columns)
    assert hh6["n"].iloc[-1] == str(n_before - 1)


def test_the_monitor_speaks_indonesian(store, data_dir):
    at = monitor(data_dir, "id")
    assert [h.value for h in at.header] == ["Pemantauan lapangan"]
    assert {"Kunjungan", "Wawancara selesai", "Tingkat respons", "Wawancara ditandai"} <= set(metrics(at))
    assert "," in metrics(at)["Tingkat respons"]   # 84,5%


def test_a_flagged_interview_opens_in_the_review(store, data_dir):
    at = monitor(data_dir)
    too_fast = flags(store, "household").query("flag == 'too_fast'")["_response_id"].iloc[0]
    at.selectbox(key="monitor_flagged").set_value(too_fast)
    at.button(key="monitor_open_review").click().run()
    at.switch_page("ui/pages/review.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="review_choice").value == too_fast
    assert any(w.startswith("**Too fast**") for w in (e.value for e in at.warning))


def test_a_flag_on_most_interviews_is_said_and_listed_after_the_others(data_dir):
    store = ResponseStore(data_dir)
    night, day = (dt.datetime(2026, 11, 30, hour, tzinfo=formatting.WIB) for hour in (23, 10))
    households = generate("household", 14, seed=3)
    for i, answers in enumerate([*households, households[13]]):   # the last one entered twice, in the day
        store.submit("household", answers, enumerator=f"sim-enum{i % 2 + 1:02d}", response_id=f"hh-{i:02d}",
                     started_at=night if i < 12 else day)
    at = monitor(data_dir)
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "Odd hour fires on 12 of 15 interviews (80%): check its threshold (the questionnaire's `quality:` block). "
        "It is listed after the other flags."]
    assert "Odd hour" not in metrics(at) and metrics(at)["Repeated household"] == "2"
    shown = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    odd = (shown["Flag"] == "Odd hour").to_numpy()
    assert odd.sum() == 12 and (~odd).sum() >= 2 and odd.tolist() == sorted(odd.tolist())   # the others first
    at.radio(key="lang").set_value("id").run()
    assert [w.value for w in at.warning] == [
        "Jam tidak wajar muncul pada 12 dari 15 wawancara (80%): periksa ambang batasnya (blok `quality:` "
        "kuesioner). Tanda ini dicantumkan setelah tanda lainnya."]


def test_an_empty_store_says_what_to_do(data_dir):
    at = monitor(data_dir)
    [info] = [i.value for i in at.info]
    assert "python -m survey.simulate --households 500 --outcomes" in info
    assert not at.metric and not at.dataframe


def test_the_refresh_reads_again_only_when_the_store_changed(store, monkeypatch):
    calls = []
    real = monitor_data._snapshot
    monkeypatch.setattr(monitor_data, "_snapshot", lambda *a, **k: calls.append(1) or real(*a, **k))
    data._shared.clear()
    first = monitor_data.snapshot(store, "household", "en")
    again = monitor_data.snapshot(store, "household", "en")
    assert len(calls) == 1 and again.records == first.records
    store.set_status("household", store.read("household")["_response_id"].iloc[0], "approved", editor="sup1")
    changed = monitor_data.snapshot(store, "household", "en")
    assert len(calls) == 2 and changed.statuses["approved"] == 1


def test_a_refresh_draws_the_tables_and_charts_built_once_per_state_of_the_store(store, data_dir, monkeypatch):
    """Issue 22, section 3: every refresh built the monitor's tables and charts again (twice the
    tables, with the downloads), 1.1 s CPU at 100,000 households."""
    from ui.supervision import monitor_tables

    built = []
    real = monitor_tables.monitor_tables
    monkeypatch.setattr(monitor_tables, "monitor_tables", lambda snap, inst: built.append(1) or real(snap, inst))
    at = monitor(data_dir)
    shown = [d.value for d in at.dataframe]
    assert len(built) == 1 and shown
    at.run()
    at.run()
    assert len(built) == 1 and not at.exception
    assert all(a.equals(b.value) for a, b in zip(shown, at.dataframe)) and len(at.dataframe) == len(shown)
    store.set_status("household", store.read("household")["_response_id"].iloc[0], "approved", editor="sup1")
    at.run()
    assert len(built) == 2 and metrics(at)["Approved"] == "1"


def test_the_flag_reasons_are_handed_out_read_only_and_the_snapshot_needs_no_dataset(store, monkeypatch):
    """Issue 22, section 3: the shared cache copied the dict of every flagged response's reasons for
    each of a run's three asks; handed out read-only, no session can change another's. The snapshot
    builds no Dataset (the page's first paint after a submission waited ~0.7 s for one), and says
    the Dataset's count and last submission."""
    import ui.results.data_cache as cache

    built = []
    real = cache.load_dataset
    monkeypatch.setattr(cache, "load_dataset", lambda *a, **k: built.append(1) or real(*a, **k))
    data._shared.clear()
    data._dataset.clear()
    snap = monitor_data.snapshot(store, "household", "en")
    assert built == []
    provenance = data.dataset("household", "en", store=store).provenance
    assert (snap.responses, snap.last_submitted_at) == (provenance.responses, provenance.last_submitted_at)
    assert snap.sentence("id") == provenance.sentence("id") and snap.sentence("en") == provenance.sentence("en")
    raised = flags(store, "household")
    assert dict(snap.flag_reasons) == monitor_data.flag_reasons(monitor_data.counted_flags(snap.visits, raised))
    with pytest.raises(TypeError):
        snap.flag_reasons["x"] = ("too_fast",)
    assert monitor_data.snapshot(store, "household", "en").flag_reasons is snap.flag_reasons


def test_the_adjustment_per_psu_is_the_datasets_and_equals_a_fresh_one(store, data_dir):
    """The snapshot's non-response adjustment is the one the base weights went through (issue 22,
    section 3: worked out from the rows the analysis keeps, without the Dataset); it equals one
    worked out from a fresh Dataset's rows, before and after a rejection and a submission."""
    from analysis.dataset.response_rates import nonresponse_adjustment

    inst, frame = store.instrument("household"), read_csv(data_dir / "frame.csv")

    def fresh():
        records = store.read("household")
        kept_ids = set(load_dataset(store, "household", "en").main.frame["_response_id"].astype(str))
        kept = records[records["_response_id"].astype(str).isin(kept_ids).to_numpy()].reset_index(drop=True)
        return nonresponse_adjustment(inst, inst.design, kept, records, frame)[1]

    snap = monitor_data.snapshot(store, "household", "en")
    assert len(snap.adjustment) and snap.adjustment.equals(fresh())
    assert snap.adjustment.equals(data.dataset("household", "en", store=store).nonresponse)
    store.set_status("household", store.read("household")["_response_id"].iloc[0], "rejected", editor="sup1")
    store.submit("household", generate("household", 1, seed=31)[0], enumerator="enum01")
    assert monitor_data.snapshot(store, "household", "en").adjustment.equals(fresh())


def test_a_rejection_in_the_review_leaves_the_explore_pages_n(store, data_dir):
    at = open_app(data_dir, "sup1", "supervisor")
    at.switch_page("ui/pages/explore.py").run()
    count = next(m.value for m in at.markdown if "responses, the last at" in m.value)
    n = int(count.strip("*").split()[0].replace(",", ""))
    records = store.read("household")
    rid = records.loc[(records["visit_outcome"] == "completed") & (records["consent"] == "yes"), "_response_id"].iloc[0]
    at.switch_page("ui/pages/review.py").run()
    at.selectbox(key="review_choice").set_value(rid).run()
    at.radio(key="review_decision").set_value("rejected")
    at.text_area(key="review_note").input("The household says nobody came")
    at.button(key="review_save").click().run()
    at.switch_page("ui/pages/explore.py").run()
    count = next(m.value for m in at.markdown if "responses, the last at" in m.value)
    assert count.strip("*").startswith(f"{n - 1} responses")


def test_the_visits_chart_shows_every_outcome_whole_in_bahasa_indonesia():
    """One legend entry a line, never cut ("Kosong atau tidak ditemukan" was, in half a phone's width)."""
    import pandas as pd

    from analysis.charts import per_day_chart

    days = pd.DataFrame({"day": pd.to_datetime(["2026-12-01"] * 5), "records": [3, 1, 1, 1, 1],
                         "disposition": ["complete", "refusal", "noncontact", "other", "ineligible"]})
    legend = per_day_chart(days, "id").to_dict()["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0 and legend["columns"] == 1


def test_every_monitor_table_is_a_summary_table_with_its_downloads_in_both_languages(store, data_dir):
    """Issue 23, item 1: labels from analysis.tables.fieldwork_tables, numbers by survey.locale, and
    CSV/Excel/printable downloads of each table under the live part of the page."""
    from ui.supervision.monitor_tables import monitor_tables, precision_table

    snap = monitor_data.snapshot(store, "household", "en")
    inst = store.instrument("household")
    tables = monitor_tables(snap, inst)
    assert {"monitor_areas", "monitor_enumerators", "monitor_rates", "monitor_flags"} <= set(tables)
    provenance = data.dataset("household", "en", store=store).provenance
    assert precision_table(monitor_data.precision(store, "household", "en"), provenance, inst) is not None
    tables["monitor_precision"] = None
    for lang, header, rate in (("en", "Enumerator", "Response rate"), ("id", "Pencacah", "Tingkat respons")):
        at = monitor(data_dir, lang)
        data.wait_for_prefetch(60)   # the precision tracker, computed in the background: its downloads next run
        at.run()
        people = next(d.value for d in at.dataframe if header in d.value.columns)
        shown = tables["monitor_enumerators"].to_frame(lang, formatted=True)
        assert people[rate].tolist() == shown[shown.columns[3]].tolist()
        assert all(v.endswith("%") or v == "–" for v in people[rate])
        assert ("," in people[rate].iloc[0]) == (lang == "id")   # 45,2% in Bahasa Indonesia, 45.2% in English
        keys = {b.key for b in at.get("download_button")}
        assert {f"{key}_{fmt}" for key in tables for fmt in ("csv", "xlsx", "html")} <= keys


def test_the_downloads_build_the_monitors_tables_once_a_run(store, data_dir, monkeypatch):
    """Each of the eight download sets needs its table's title at once: one build serves them all."""
    from ui.supervision import monitor_tables as tables

    calls = []
    real = tables.monitor_tables
    monkeypatch.setattr(tables, "monitor_tables", lambda *a: calls.append(1) or real(*a))
    at = monitor(data_dir)
    assert len(at.get("download_button")) >= 3 * 7 and len(calls) == 1


def test_after_a_new_submission_the_monitor_shows_what_a_full_check_shows(store, data_dir):
    """The page's store reads and quality checks are brought up to date with the new interview
    (survey.store.read_cache, analysis.monitoring.quality_state): the same flags as a fresh check."""
    at = monitor(data_dir)
    late = dt.datetime(2024, 7, 3, 23, 30, tzinfo=formatting.WIB)
    store.submit("household", generate("household", 1, seed=99)[0], enumerator="sim-late", response_id="late-one",
                 started_at=late, submitted_at=late + dt.timedelta(minutes=40))
    at.run()
    fresh = flags(ResponseStore(data_dir), "household")
    counted = set(fresh["_response_id"]) & set(visits(store.instrument("household"), store.read("household"))[
        "_response_id"])
    assert int(metrics(at)["Flagged interviews"].replace(",", "")) == len(counted)
    assert "late-one" in set(fresh.loc[fresh["flag"] == "odd_hour", "_response_id"])
