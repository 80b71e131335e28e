"""The fake zaaksysteem refuses what the official specifications refuse, so a test whose
requests it accepts proves them conforming."""

from __future__ import annotations

from datetime import UTC, datetime

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
