"""How long the documents that leave for a person take to render: each kind of written order
(beschikking: oplegging, afwijzing, verlenging, intrekking) and an inzage export, as tagged
PDF/UA-1 by WeasyPrint from the Jinja templates of `domain/documents`, through the same
`domain.order_pdf.render` and `domain.inzage_pdf.render` the API and the zaaksysteem activity
call.

Each document is rendered in a fresh process of its own (this module again, `--one KIND`), so
its first render is cold: WeasyPrint imported, the fonts loaded, the template compiled, as in a
worker or API process that did not `documents.preload()`. One more process times `preload()`
and the oplegging's first render after it: what a process that preloaded sees. The renderer
caches by content (`documents._laid_out`, keyed by the HTML), so each run's input differs by
its moment (the decision's, the extension's, the withdrawal's, the export's: one minute per
run) and the cache never answers; then the last input is rendered once more and that cached
answer is timed (it still renders the template, the cache's key). Prints per document: the
cold first render, p50/p95/max of the later runs, the cached answer, pages and bytes of the
PDF, and the process's peak RSS (`resource.getrusage`, ru_maxrss). Asserts nothing.

The inputs are built from the domain models as the services build them (the sample chain's
letterhead of Den Haag, without a logo; the policy's dates; `domain.inzage.file_export` over
files with `--entries` timeline entries each); there is no production builder of sample
orders. Needs the project's dev dependencies (pypdf, to count pages).

    python -m bench.documents --runs 20
    python -m bench.documents --runs 20 --files 3 --entries 60
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.chain import Chain
from domain.huisverbod import Decider, DecisionCmd, ExtensionCmd, HuisverbodSnapshot, WithdrawalCmd
from domain.huisverbod_order import WrittenOrder, written_order
from domain.huisverbod_policy import HuisverbodPolicy
from domain.inzage import InzageExport, PersonKey, file_export, subject_of
from domain.zgw import zaak_identificatie
from infra.settings import SAMPLE_CHAIN

KINDS = ("oplegging", "afwijzing", "verlenging", "intrekking", "inzage")
MUNICIPALITY = "GM0518"  # Den Haag, in the sample chain
REQUESTED = datetime(2026, 10, 20, 17, 30, tzinfo=UTC)
IMPOSED = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
MAYOR = Decider(name="J. Burgemeester", capacity="mayor")
HULPOFFICIER = Decider(name="H. de Wacht", capacity="hulpofficier")
GROUNDS = (
    "Op 20 oktober 2026 om 18:40 uur werd de politie door een buurvrouw gebeld over geschreeuw "
    "en gestommel in de woning. Ter plaatse trof de politie Anna de Vries aan met een bloedende "
    "lip en roodheid in de hals; zij verklaarde dat haar partner Şahin Yılmaz haar had geslagen "
    "en bij de keel had gegrepen nadat zij had gezegd bij hem weg te willen. De twee kinderen, "
    "van vier en zeven jaar, waren in de woning en hebben het geweld gehoord. Betrokkene was "
    "onder invloed van alcohol en dreigde in het bijzijn van de agenten dat het 'niet bij één "
    "keer zou blijven'. In de politiesystemen staan in het afgelopen jaar drie eerdere meldingen "
    "van huiselijk geweld op dit adres, waarvan één met letsel. Met het Risicotaxatie-instrument "
    "Huiselijk Geweld (RiHG) is een ernstig en onmiddellijk gevaar vastgesteld: een eerder "
    "geweldsincident, escalatie in ernst, dreiging met verder geweld, een voorgenomen "
    "scheiding en kinderen die getuige zijn. Veilig Thuis Haaglanden is geraadpleegd."
)
REASONS = {
    "oplegging": (
        "Uit de feiten en omstandigheden blijkt dat de aanwezigheid van betrokkene in de woning "
        "een ernstig en onmiddellijk gevaar oplevert voor de veiligheid van zijn partner en "
        "de kinderen (Wth art. 2 lid 1). Een minder ingrijpende maatregel volstaat niet: "
        "betrokkene heeft eerdere afspraken niet nagekomen."
    ),
    "afwijzing": (
        "De feiten en omstandigheden geven geen ernstig en onmiddellijk gevaar; de hulp die "
        "Veilig Thuis heeft ingezet en de afspraken in het veiligheidsplan volstaan."
    ),
    "verlenging": (
        "Het gevaar duurt voort: de hulpverlening is pas begonnen en de partner heeft bij het "
        "gesprek met Veilig Thuis verklaard opnieuw te zijn bedreigd (Wth art. 9 lid 1)."
    ),
    "intrekking": (
        "Betrokkene en zijn partner hebben ingestemd met een veiligheidsplan en betrokkene "
        "verblijft vrijwillig bij een familielid; het gevaar is daarmee afgewend."
    ),
}
FILE = {
    "pleger_name": "Şahin Yılmaz",
    "pleger_birth_date": "1985-06-15",
    "address": "Voorbeeldstraat 1, 2511 AB Den Haag",
    "grounds": GROUNDS,
    "requested_by": {"organisation": "Politie eenheid Den Haag", "officer": "Agent Drie"},
}


def snapshot(kind: str, at: datetime) -> HuisverbodSnapshot:
    """The ban as the order of `kind` finds it, its decision of that kind taken at `at`."""
    fields: dict[str, Any] = {
        "huisverbod_id": "5f0c2a1e-7b9d-4c3e-9a18-2d6b4e8f1c07",
        "case_id": "c",
        "municipality": MUNICIPALITY,
        "pleger_ref": "p2",
        "requested_at": REQUESTED,
        "version": 3,
        "timeline": [],
        "deadlines": [],
    }
    if kind == "afwijzing":
        refused = DecisionCmd(
            decision="refuse", reason=REASONS[kind], decided_by=MAYOR, decided_at=at
        )
        return HuisverbodSnapshot(**fields, status="refused", decision=refused)
    imposed_at = at if kind == "oplegging" else IMPOSED
    imposed = DecisionCmd(
        decision="impose",
        reason=REASONS["oplegging"],
        decided_by=HULPOFFICIER,
        decided_at=imposed_at,
        ordered_orally=True,
    )
    fields |= {"status": "imposed", "decision": imposed, "imposed_at": imposed_at}
    if kind == "verlenging":
        ext = ExtensionCmd(
            until=IMPOSED + timedelta(days=21),
            reason=REASONS[kind],
            decided_by=MAYOR,
            decided_at=at,
        )
        fields |= {"status": "extended", "extensions": [ext]}
    elif kind == "intrekking":
        gone = WithdrawalCmd(reason=REASONS[kind], decided_by=MAYOR, at=at)
        fields |= {"status": "withdrawn", "withdrawal": gone}
    return HuisverbodSnapshot(**fields)


FIRST_DECISION = {
    "oplegging": IMPOSED,
    "afwijzing": IMPOSED,
    "verlenging": IMPOSED + timedelta(days=8, hours=15),
    "intrekking": IMPOSED + timedelta(days=5, hours=2),
}


def orders(kind: str, count: int) -> list[WrittenOrder]:
    """`count` orders of `kind`, each decided a minute after the one before."""
    letterhead = Chain.load(SAMPLE_CHAIN).letterhead(MUNICIPALITY)
    assert letterhead is not None
    hv = snapshot(kind, FIRST_DECISION[kind])
    kenmerk = zaak_identificatie(hv.huisverbod_id, "VT-HGL-2026-000123")
    return [
        written_order(
            kind,  # type: ignore[arg-type]
            snapshot(kind, FIRST_DECISION[kind] + timedelta(minutes=i)),
            FILE,
            letterhead,
            HuisverbodPolicy(),
            kenmerk,
        )
        for i in range(count)
    ]


PEOPLE = [
    {
        "ref": "p1",
        "role": "victim",
        "name": "Anna de Vries",
        "birth_date": "1990-04-01",
        "bsn": "111222333",
        "address": "Voorbeeldstraat 1, 2511 AB Den Haag",
    },
    {"ref": "p2", "role": "pleger", "name": "Şahin Yılmaz", "birth_date": "1985-06-15"},
    {"ref": "k1", "role": "child", "name": "Kim Yılmaz", "birth_date": "2019-09-01"},
    {"ref": "k2", "role": "child", "name": "Noah Yılmaz", "birth_date": "2022-02-11"},
]
EVENTS = [
    ("melding_received", "melding ontvangen van de politie"),
    ("safety_assessed", "veiligheidsbeoordeling: acuut onveilig, structureel onveilig"),
    ("contact", "p1: telefonisch contact met Anna de Vries, afspraak voor huisbezoek"),
    ("contact", "p2: Şahin Yılmaz niet bereikt, brief verstuurd naar Dorpsstraat 9, Delft"),
    ("huisverbod_imposed", "tijdelijk huisverbod opgelegd voor Voorbeeldstraat 1"),
    ("safety_plan", "veiligheidsplan opgesteld met p1 en het netwerk"),
    ("child_check", "k1: school gesproken, Kim Yılmaz komt regelmatig"),
    ("referral", "doorverwijzing naar het lokale team voor hulp aan het gezin"),
    ("monitoring", "monitoringsgesprek: de afspraken worden nagekomen"),
    ("notice", "p1: bericht over de afloop van het huisverbod verzonden"),
]
ORGS = ["Veilig Thuis Haaglanden", "Politie eenheid Den Haag", "Gemeente 's-Gravenhage"]


def inzage_file(n: int, entries: int) -> dict[str, Any]:
    """A case file of the four people at the house, with `entries` timeline entries."""
    opened = datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(days=200 * n)
    return {
        "number": f"VT-HGL-{opened.year}-{123 + n:06d}",
        "opened_at": opened,
        "status": ["triage", "investigation", "monitoring"][n % 3],
        "persons": PEOPLE,
        "reporter": {"kind": "police"},
        "timeline": [
            {
                "at": opened + timedelta(hours=7 * i),
                "kind": EVENTS[i % len(EVENTS)][0],
                "detail": EVENTS[i % len(EVENTS)][1],
            }
            for i in range(entries)
        ],
    }


def inzage(files: int, entries: int, count: int) -> list[InzageExport]:
    """`count` exports of Anna's `files` case files, each generated a minute after the one
    before: a notice a tenth and an access a third as often as a timeline entry, corrections
    two a file."""
    exports = []
    for f in range(files):
        file = inzage_file(f, entries)
        opened = file["opened_at"]
        exports.append(
            file_export(
                PersonKey(kind="case", file_id=f"{f:02x}ab34cd", ref="p1"),
                file,
                texts=[
                    "Melding van de politie: Şahin Yılmaz sloeg Anna de Vries in de woning; de "
                    "kinderen Kim Yılmaz en Noah Yılmaz waren thuis. Şahin Yılmaz verblijft nu "
                    "op Dorpsstraat 9, Delft. " * 3
                ],
                notices=[
                    {
                        "created_at": opened + timedelta(days=i),
                        "kind": "event",
                        "subject": "huisverbod_imposed",
                        "detail": "tijdelijk huisverbod opgelegd voor Voorbeeldstraat 1",
                        "recipients": [f"{o} per e-mail: verzonden" for o in ORGS],
                    }
                    for i in range(max(1, entries // 10))
                ],
                access=[
                    {
                        "at": opened + timedelta(hours=5 * i),
                        "who": f"medewerker, {ORGS[i % len(ORGS)]}",
                        "organisation": ORGS[i % len(ORGS)],
                        "role": "medewerker",
                        "action": "casus lezen",
                        "outcome": 200,
                    }
                    for i in range(max(1, entries // 3))
                ],
                corrections=[
                    {
                        "at": opened + timedelta(days=3 + i),
                        "field": "address",
                        "old_value": "Laan 1, Den Haag",
                        "new_value": "Voorbeeldstraat 1, 2511 AB Den Haag",
                        "reason": "verhuisd, op verzoek van betrokkene",
                        "by": "functionaris gegevensbescherming, Veilig Thuis Haaglanden",
                    }
                    for i in range(2)
                ],
            )
        )
    export = InzageExport(
        region="haaglanden",
        region_name="Veilig Thuis Haaglanden",
        generated_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        subject=subject_of(exports),
        files=exports,
    )
    return [
        export.model_copy(update={"generated_at": export.generated_at + timedelta(minutes=i)})
        for i in range(count)
    ]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one(kind: str, runs: int, files: int, entries: int, preload: bool) -> dict[str, Any]:
    """Render `kind` `runs` times in this (fresh) process; the figures as a dict."""
    from pypdf import PdfReader

    from domain import documents, inzage_pdf, order_pdf

    preloaded = None
    if preload:
        start = time.perf_counter()
        documents.preload()
        preloaded = time.perf_counter() - start
    if kind == "inzage":
        inputs: list[Any] = inzage(files, entries, runs)
        render = inzage_pdf.render
    else:
        inputs = orders(kind, runs)
        render = order_pdf.render
    rss_before = peak_rss_mib()
    times = []
    for doc in inputs:
        start = time.perf_counter()
        pdf = render(doc)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    again = render(inputs[-1])
    cached = time.perf_counter() - start
    return {
        "kind": kind,
        "preload_s": preloaded,
        "first_s": times[0],
        "later_s": times[1:],
        "cached_s": cached,
        "cache_answered": again is pdf,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "rss_inputs_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
    }


def in_a_fresh_process(kind: str, args: argparse.Namespace, preload: bool = False) -> dict:
    command = [sys.executable, "-m", "bench.documents", "--one", kind, "--runs", str(args.runs)]
    command += ["--files", str(args.files), "--entries", str(args.entries)]
    done = subprocess.run(
        command + (["--preload"] if preload else []), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:8.1f}"


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="renders of each document")
    parser.add_argument("--files", type=int, default=3, help="case files in the inzage export")
    parser.add_argument("--entries", type=int, default=60, help="timeline entries per file")
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--preload", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.runs = max(args.runs, 1)
    if args.one:
        print(json.dumps(one(args.one, args.runs, args.files, args.entries, args.preload)))
        return

    import weasyprint

    print(
        f"documents: {args.runs} runs each, a fresh process per document; WeasyPrint "
        f"{weasyprint.__version__}, Python {sys.version.split()[0]}; inzage of {args.files} "
        f"file(s) x {args.entries} timeline entries; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print(
        f"{'document':<11} {'first ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'cached ms':>9} {'pages':>5} {'bytes':>8} {'peak RSS MiB':>12}"
    )
    for kind in KINDS:
        f = in_a_fresh_process(kind, args)
        later = f["later_s"]
        print(
            f"{kind:<11} {ms(f['first_s'])} {ms(percentile(later, 50))} "
            f"{ms(percentile(later, 95))} {ms(max(later) if later else None)} "
            f"{ms(f['cached_s']):>9} {f['pages']:>5} {f['bytes']:>8} "
            f"{f['peak_rss_mib']:>12.0f}"
            + ("" if f["cache_answered"] else "  (cache did not answer)")
        )
    p = in_a_fresh_process("oplegging", args, preload=True)
    print(
        f"preload (documents.preload() in a fresh process): {p['preload_s'] * 1000:.0f} ms; "
        f"the oplegging's first render after it: {p['first_s'] * 1000:.0f} ms; "
        f"peak RSS {p['peak_rss_mib']:.0f} MiB"
    )
    print(
        "first = cold (WeasyPrint imported, fonts loaded, template compiled); p50/p95/max over "
        f"the {args.runs - 1} later renders, each a different input; cached = the last input "
        "again, answered by the content cache (the template still renders, as its key)"
    )


if __name__ == "__main__":
    main()
