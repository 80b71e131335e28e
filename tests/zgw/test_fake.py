"""The fake zaaksysteem refuses what the official specifications refuse, so a test whose
requests it accepts proves them conforming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import jwt

from domain import zgw
from domain.chain import Zaaksysteem
from domain.huisverbod import HuisverbodSnapshot
from tests.zgw.fake import FakeZaaksysteem

SECRET = b"s" * 32
FAKE = FakeZaaksysteem(SECRET)
FAKE.base_url = "http://zgw.test"
CFG = Zaaksysteem(**FAKE.config())
NOW = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
HV = HuisverbodSnapshot(
    huisverbod_id="1a2b3c4d-5e6f-4a1b-8c2d-0123456789ab",
    case_id="c",
    municipality="GM0358",
    pleger_ref="p2",
    status="requested",
    requested_at=NOW,
    version=1,
    timeline=[],
    deadlines=[],
)


def client(secret: bytes = SECRET, **claims) -> httpx.AsyncClient:
    token = jwt.encode(zgw.jwt_claims("ketenregie", NOW) | claims, secret, "HS256")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=FAKE.app),
        base_url="http://zgw.test",
        headers={"Authorization": f"Bearer {token}"},
    )


CRS = {"Accept-Crs": zgw.CRS, "Content-Crs": zgw.CRS}


async def test_what_we_send_conforms_and_what_does_not_is_refused():
    FAKE.invalid.clear()
    async with client() as http:
        body = zgw.zaak_body(CFG, "VT-AA-2026-000001-HV-1a2b3c4d", HV)
        ok = await http.post(f"{CFG.zaken_api}/zaken", json=body, headers=CRS)
        assert ok.status_code == 201 and FAKE.invalid == []
        # the Zaken API wants the coordinate system headers on a zaak
        assert (await http.post(f"{CFG.zaken_api}/zaken", json=body)).status_code == 400
        # a value outside an enumeration
        wrong = body | {"vertrouwelijkheidaanduiding": "geheimzinnig"}
        assert (
            await http.post(f"{CFG.zaken_api}/zaken", json=wrong, headers=CRS)
        ).status_code == 400
        # a besluit without its required dates and type
        besluit = {"verantwoordelijkeOrganisatie": CFG.rsin, "zaak": ok.json()["url"]}
        assert (await http.post(f"{CFG.besluiten_api}/besluiten", json=besluit)).status_code == 400
        # a document whose content is not base64
        document = zgw.document_body(CFG, "X-1", "Beschikking", "Aalsmeer", NOW, b"%PDF")
        document["inhoud"] = "geen base64!"
        created = await http.post(
            f"{CFG.documenten_api}/enkelvoudiginformatieobjecten", json=document
        )
        assert created.status_code == 400
    assert [path for _, path, _ in FAKE.invalid] == [
        "/zaken/api/v1/zaken",
        "/zaken/api/v1/zaken",
        "/besluiten/api/v1/besluiten",
        "/documenten/api/v1/enkelvoudiginformatieobjecten",
    ]


async def test_a_token_without_the_zgw_claims_or_with_another_secret_is_refused():
    async with client(secret=b"x" * 32) as http:
        assert (await http.get(f"{CFG.besluiten_api}/besluiten")).status_code == 403
    token = jwt.encode({"iss": "ketenregie", "iat": 1}, SECRET, "HS256")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=FAKE.app),
        headers={"Authorization": f"Bearer {token}"},
    ) as http:
        assert (await http.get(f"{CFG.besluiten_api}/besluiten")).status_code == 403


async def test_the_rules_the_specifications_state_in_words_hold_too():
    FAKE.invalid.clear()
    async with client() as http:
        body = zgw.zaak_body(CFG, "VT-AA-2026-000002-HV-1a2b3c4d", HV)
        zaak = (await http.post(f"{CFG.zaken_api}/zaken", json=body, headers=CRS)).json()["url"]
        again = await http.post(f"{CFG.zaken_api}/zaken", json=body, headers=CRS)
        assert again.status_code == 400  # identificatie unique within the bronorganisatie
        document = zgw.document_body(CFG, "X-2", "Beschikking", "Aalsmeer", NOW, b"%PDF")
        del document["indicatieGebruiksrecht"]
        url = (
            await http.post(f"{CFG.documenten_api}/enkelvoudiginformatieobjecten", json=document)
        ).json()["url"]
        link = zgw.zaakinformatieobject_body(zaak, url, "Beschikking")
        assert (await http.post(f"{CFG.zaken_api}/zaakinformatieobjecten", json=link)).is_success
        resultaat = zgw.resultaat_body(CFG, zaak, "afgelopen")
        assert (await http.post(f"{CFG.zaken_api}/resultaten", json=resultaat)).is_success
        end = {
            "zaak": zaak,
            "statustype": CFG.statustypen["beeindigd"],
            "datumStatusGezet": "2026-10-20T18:00:00+00:00",
        }
        # the end status wants indicatieGebruiksrecht on every document of the zaak
        assert (await http.post(f"{CFG.zaken_api}/statussen", json=end)).status_code == 400
    assert [p for _, _, problems in FAKE.invalid for p in problems] == [
        "regel: identificatie moet uniek zijn binnen de bronorganisatie",
        "regel: bij de eindstatus moet indicatieGebruiksrecht gezet zijn",
    ]


async def test_what_open_zaak_enforces_beyond_the_specifications_is_refused_as_it_does():
    fake = FakeZaaksysteem(SECRET)
    fake.base_url = "http://zgw.test"
    token = jwt.encode(zgw.jwt_claims("ketenregie", NOW), SECRET, "HS256")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app),
        base_url="http://zgw.test",
        headers={"Authorization": f"Bearer {token}"},
    ) as http:

        async def post(collection: str, body: dict, api: str = CFG.zaken_api, **kw):
            return await http.post(f"{api}/{collection}", json=body, **kw)

        def codes(r: httpx.Response) -> list[str]:
            return [p["code"] for p in r.json()["invalidParams"]] or [r.json()["code"]]

        body = zgw.zaak_body(CFG, "VT-AA-2026-000003-HV-1a2b3c4d", HV)
        fake.max_confidentiality = "zaakvertrouwelijk"
        assert (await post("zaken", body, headers=CRS)).status_code == 403
        fake.max_confidentiality = "vertrouwelijk"
        zaak = (await post("zaken", body, headers=CRS)).json()["url"]

        def status(kind: str, at: datetime) -> dict:
            return {
                "zaak": zaak,
                "statustype": CFG.statustypen[kind],
                "datumStatusGezet": at.isoformat(),
            }

        now = datetime.now(UTC)
        ahead = await post("statussen", status("aangevraagd", now + timedelta(seconds=1)))
        assert (ahead.status_code, codes(ahead)) == (400, ["date-in-future"])
        assert (await post("statussen", status("aangevraagd", now))).status_code == 201
        fake.scopes.discard("zaken.statussen.toevoegen")
        second = await post("statussen", status("opgelegd", now))
        assert second.status_code == 403 and "slechts 1 status" in second.json()["detail"]
        fake.scopes.add("zaken.statussen.toevoegen")
        end = await post("statussen", status("beeindigd", now))
        assert codes(end) == ["resultaat-does-not-exist"]
        fake.unarchived.add(urlsplit(CFG.resultaattypen["afgelopen"]).path)
        assert (await post("resultaten", zgw.resultaat_body(CFG, zaak, "afgelopen"))).is_success
        assert codes(await post("statussen", status("beeindigd", now))) == [
            "archiefactiedatum-error"
        ]

        tomorrow = zgw.besluit_body(
            CFG,
            "X-3",
            zaak,
            zgw.Step(event="e", at=now, filing=zgw.FILINGS["huisverbod_refused"]),
            now + timedelta(days=1),
        )
        refused = await post("besluiten", tomorrow, api=CFG.besluiten_api)
        assert codes(refused) == ["future_not_allowed"]

        document = zgw.document_body(CFG, "X-4", "Beschikking", "Aalsmeer", NOW, b"%PDF")
        fake.related_documenttypes.clear()
        url = await post("enkelvoudiginformatieobjecten", document, api=CFG.documenten_api)
        link = zgw.zaakinformatieobject_body(zaak, url.json()["url"], "Beschikking")
        assert codes(await post("zaakinformatieobjecten", link)) == [
            "missing-zaaktype-informatieobjecttype-relation"
        ]
