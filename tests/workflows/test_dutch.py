"""What a person reads is Dutch: deadline labels, timeline events, notices, access denials.

A representative run (an acute melding by the police, the acute safety path, a huisverbod
imposed, extended, appealed, violated and run out, with reminders and escalations) leaves no
code identifier, isoformat time or English phrase in any text it produces."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import get_args

from domain.access import ACTION_DENIED, ORG_KIND_NAMES, PERMISSIONS, Action, denial
from domain.case import CaseInput, PersonRef, Unsafety
from domain.catalogue import CATALOGUE
from domain.huisverbod import (
    AppealCmd,
    DecisionCmd,
    ExtensionCmd,
    HuisverbodRequestCmd,
    ViolationCmd,
    huisverbod_workflow_id,
)
from domain.ids import case_workflow_id
from domain.notifications import PARTNER, event_message
from testing.actors import JURIST, MAYOR_OFFICE, POLICE
from tests.workflows.test_huisverbod import MAYOR
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

DAY = timedelta(days=1)
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # mayor_office, safe_place, help_started
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ENGLISH = re.compile(
    r"\b(the|must|cannot|already|only|until|with|without|which|was|were|has|have|by|for|and|"
    r"not|reminder|deadline|passed|imposed|requested|extended|expired|ended|safety|placement|"
    r"police|mayor|court|assessment|investigation)\b",
    re.IGNORECASE,
)


NAMES = ("Signs of Safety", "Handle with Care")  # names of methods, not English text


def english_in(text: str) -> list[str]:
    """The code identifiers, isoformat times and English words in `text`."""
    for name in NAMES:
        text = text.replace(name, "")
    return CODE.findall(text) + ISO_TIME.findall(text) + ENGLISH.findall(text)


def test_every_deadline_rule_has_a_dutch_label_and_source():
    for key, rule in CATALOGUE.rules.items():
        assert rule.label and not english_in(rule.label), key
        assert not english_in(rule.source), key


def test_every_organisation_and_action_has_a_dutch_name():
    kinds = {kind for kind, _ in PERMISSIONS} | {
        a for audiences in CATALOGUE.audiences.values() for a in audiences
    }
    # a `partner:` notice names its organisation itself, by the partner's id
    assert kinds - {"partners", PARTNER} <= set(ORG_KIND_NAMES)
    assert set(get_args(Action)) == set(ACTION_DENIED)
    reason = denial("mayor_office", "staff", "case.read")
    assert reason == "een medewerker van het bureau van de burgemeester mag geen casus lezen"


async def test_a_representative_run_reads_dutch_throughout(env, worker, read_model):
    now = await env.get_current_time()
    case_id = "dutch"
    case = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind="police",
            persons=[
                PersonRef(ref="p1", role="victim"),
                PersonRef(ref="p2", role="pleger"),
                PersonRef(ref="k1", role="child"),
            ],
            unsafety=Unsafety(acute=True, structural=True, reporter_can_help=False),
            received_at=now,
        ),
        id=case_workflow_id(case_id),
        task_queue=worker,
    )
    await case.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(actor=POLICE, huisverbod_id="hv", pleger_ref="p2", requested_at=now),
    )
    hv = env.client.get_workflow_handle_for(
        HuisverbodWorkflow.run, huisverbod_workflow_id(case_id, "hv")
    )
    await env.sleep(5 * 60 * 60)  # the mayor's decision and the safe place pass unmet
    imposed = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="impose",
            reason="r",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
            veilig_thuis_consulted=True,
            ordered_orally=True,
        ),
    )
    await env.sleep(2 * DAY)
    at = await env.get_current_time()
    await hv.execute_update(HuisverbodWorkflow.record_violation, ViolationCmd(actor=POLICE, at=at))
    await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, against="imposition", lodged_at=at)
    )
    await env.sleep(6 * DAY)
    until = imposed.imposed_at + 20 * DAY
    await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=until,
            reason="r",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    await env.sleep(until - await env.get_current_time() + timedelta(seconds=1))

    state = await case.query(CaseWorkflow.state)
    ban = await hv.query(HuisverbodWorkflow.state)
    kinds = {e.kind for e in state.timeline}
    assert {"reminder", "escalated", "huisverbod_imposed", "huisverbod_expired"} <= kinds
    texts = [e.detail for e in state.timeline + ban.timeline]
    texts += [d.label for d in state.deadlines + ban.deadlines]
    texts += [" ".join(event_message(CATALOGUE, n).values()) for n in read_model.notices.values()]
    found = {text: english_in(text) for text in texts if english_in(text)}
    assert found == {}
