"""What a partner's webhook receives: a CloudEvent after the NL GOV profile for CloudEvents.

Pure: the worker's sender puts these attributes and data in a `cloudevents` SDK event. The
profile's rules, and how they are met here:
- `id`: persistent for the event where the producer has such an id. A delivery (one notice
  to one partner) has its outbox key; the id is a UUID derived from it (uuid5), so a
  redelivery of the same outbox row carries the same id and the partner drops the repeat,
  and the key itself (which names the partner) is not shown.
- `source`: a URN with namespace `nld` naming the organisation (its OIN) and the system:
  `urn:nld:oin:<OIN>:systeem:ketenregie`; without a configured OIN
  `urn:nld:systeem:ketenregie` (`KETENREGIE_OIN` sets it).
- `type`: reverse-DNS after the data source, Dutch (each notice's, in the catalogue).
- `subject`: a reference only (the huisverbod's, the case's or the advice question's id),
  never a name or BSN: context attributes may be logged by anyone on the way.
- `time`: when the notice was recorded in the outbox (the profile: the time the event was
  logged), the same on every redelivery.
- `dataref`: the API resource the partner may read for more ("informatiearm notificeren").
- `data` (application/json): the Dutch title, the references, the region, the due moment of
  a deadline: no case content, no personal data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.models import Notice
from domain.notifications import TYPE_PREFIX, title

if TYPE_CHECKING:
    from domain.catalogue import Catalogue

SYSTEM = "ketenregie"
# the namespace of the event ids: fixed, so an id is the same in every process and release
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:nld:systeem:ketenregie:bezorging")
OIN = re.compile(r"\d{20}")


def event_id(delivery_key: str) -> str:
    """The CloudEvent id of a delivery: the same for every (re)delivery of the outbox row."""
    return str(uuid.uuid5(ID_NAMESPACE, delivery_key))


def event_source(oin: str | None) -> str:
    """The sending organisation and system as a URN (NL GOV profile: `nld`, OIN, system)."""
    if oin is None:
        return f"urn:nld:systeem:{SYSTEM}"
    if not OIN.fullmatch(oin):
        raise ValueError("an OIN has 20 digits")
    return f"urn:nld:oin:{oin}:systeem:{SYSTEM}"


def event_type(catalogue: Catalogue, notice: Notice) -> str:
    """The CloudEvents type of `notice`: by its subject, a deadline's by its kind."""
    name = catalogue.event_types.get(notice.subject)
    if name is None and notice.kind in ("reminder", "escalation"):
        name = catalogue.event_types[notice.kind]
    if name is None:
        raise LookupError(f"no CloudEvents type for notice subject {notice.subject!r}")
    return f"{TYPE_PREFIX}.{name}"


def resource(catalogue: Catalogue, notice: Notice) -> tuple[str, str, str]:
    """(collection, id, name of the id in the data) of the v1 API resource `notice` is
    about: the notices of a procedure with a resource of its own at the top of the API (the
    huisverbod; their key starts with its source, `<kind>:<id>`) point at it, an advice
    question's at the question, the rest at the case."""
    if notice.about == "advice":
        return "adviesvragen", notice.case_id, "advice_id"
    source, _, rest = notice.key.partition(":")
    spec = catalogue.procedures.get(source)
    if spec is not None and spec.resource is not None and rest:
        return spec.resource, rest.partition(":")[0], spec.read_model[1]
    return "cases", notice.case_id, "case_id"


def partner_event(
    catalogue: Catalogue,
    delivery_key: str,
    notice: Notice,
    recorded_at: datetime,
    source: str,
    public_url: str,
    planned: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(attributes, data) of the CloudEvent that tells a partner of `notice`. `planned` is
    the message as it was fixed when the notice was planned (its title and type): a worker
    whose catalogue lacks the notice (one of another release) sends it as it was meant."""
    planned = planned or {}
    collection, ref, named = resource(catalogue, notice)
    data = {"title": planned.get("title") or title(catalogue, notice), "region": notice.region}
    data["advice_id" if notice.about == "advice" else "case_id"] = notice.case_id
    data[named] = ref
    if notice.kind in ("reminder", "escalation") and notice.due_at is not None:
        data["deadline"] = notice.subject
        data["due_at"] = notice.due_at.isoformat()
    attributes = {
        "id": event_id(delivery_key),
        "source": source,
        "type": planned.get("type") or event_type(catalogue, notice),
        "subject": ref,
        "time": recorded_at,
        "datacontenttype": "application/json",
        "dataref": f"{public_url.rstrip('/')}/v1/{collection}/{ref}",
    }
    return attributes, data
