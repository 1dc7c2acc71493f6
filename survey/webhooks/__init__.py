"""Webhooks: a data folder's changes POSTed to the endpoints an admin registered (issue 20, section 4).

Stages, each a module:

    survey.webhooks.endpoints  the registered endpoints (URL, events, questionnaire, secret), 0600
    survey.webhooks.events     an event recorded durably in the data folder's queue, at the commit
    survey.webhooks.delivery   one delivery pass: fan out, POST what is due, back off, give up after a day
    survey.webhooks.worker     the app's background thread (one per data folder)

Everything lives under ``<data>/webhooks/``. Delivery never runs in a request: the store
writes an event file and returns; the worker (or ``python -m survey.webhooks deliver`` from
cron) sends it.

Crash window (the choice made): an event is written right after the store's commit point and
before the call returns, so an acknowledged submit has its event on disk. A process that dies
between the commit and the event file loses the file, so a worker starting on a data folder
first *recovers*: it reads the stored revisions committed since the endpoints were registered
(or since the last recovery) and records the events they imply. Event ids of submissions are
derived from (type, questionnaire, record, revision), so recording one twice is a no-op, and
each (endpoint, event) delivery is created once: the same event is never delivered twice as new.
"""

from survey.webhooks.endpoints import EVENTS, Endpoint, EndpointError, Endpoints
from survey.webhooks.events import record_change, record_event

__all__ = ["EVENTS", "Endpoint", "Endpoints", "EndpointError", "record_change", "record_event"]
