"""The verzoek tot onderzoek as a CORV message: built by the adapter, read by the receiver.

CORV (Collectieve Opdracht Routeer Voorziening, Justid) routes messages between Veilig
Thuis, the Raad voor de Kinderbescherming, the courts and the gecertificeerde instellingen.
Its schemas are not public; this envelope mirrors the shape of a CORV message (a header
with message id, type, sender, receiver and time, then the content) under our own
namespace, so the adapter is the one place to change when the real schema is plugged in.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

NS = "urn:ketenregie:corv-adapter:1"
VERZOEK_TOT_ONDERZOEK = "VerzoekTotOnderzoek"
_Q = f"{{{NS}}}"


class CorvFormatError(ValueError):
    """The message is not a well-formed verzoek tot onderzoek."""


def verzoek_tot_onderzoek(
    *,
    message_id: str,
    sent_at: datetime,
    sender: str,
    receiver: str,
    case_id: str,
    municipality: str,
    child_name: str,
    child_birth_date: date | None,
    grounds: str,
) -> bytes:
    """The message Veilig Thuis sends the Raad to ask for a child protection investigation."""
    ET.register_namespace("corv", NS)
    root = ET.Element(f"{_Q}Bericht")
    header = ET.SubElement(root, f"{_Q}Header")
    for tag, value in (
        ("BerichtId", message_id),
        ("BerichtType", VERZOEK_TOT_ONDERZOEK),
        ("Afzender", sender),
        ("Ontvanger", receiver),
        ("Verzendmoment", sent_at.isoformat()),
    ):
        ET.SubElement(header, f"{_Q}{tag}").text = value
    content = ET.SubElement(root, f"{_Q}Inhoud")
    ET.SubElement(content, f"{_Q}Zaakkenmerk").text = case_id
    ET.SubElement(content, f"{_Q}Gemeente").text = municipality
    child = ET.SubElement(content, f"{_Q}Minderjarige")
    ET.SubElement(child, f"{_Q}Naam").text = child_name
    if child_birth_date is not None:
        ET.SubElement(child, f"{_Q}Geboortedatum").text = child_birth_date.isoformat()
    ET.SubElement(content, f"{_Q}Aanleiding").text = grounds
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def read_header(body: bytes) -> dict[str, str]:
    """The header of a received message; `CorvFormatError` when it is not one we accept."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise CorvFormatError(f"not well-formed XML: {e}") from None
    if root.tag != f"{_Q}Bericht":
        raise CorvFormatError("the root element is not a corv:Bericht")
    fields = {}
    for tag in ("BerichtId", "BerichtType", "Afzender", "Ontvanger", "Verzendmoment"):
        value = root.findtext(f"{_Q}Header/{_Q}{tag}")
        if not value:
            raise CorvFormatError(f"the header lacks {tag}")
        fields[tag] = value
    if fields["BerichtType"] != VERZOEK_TOT_ONDERZOEK:
        raise CorvFormatError(f"unknown message type {fields['BerichtType']!r}")
    for path in (("Zaakkenmerk",), ("Minderjarige", "Naam"), ("Aanleiding",)):
        if not root.findtext("/".join(f"{_Q}{tag}" for tag in ("Inhoud", *path))):
            raise CorvFormatError(f"the content lacks {path[-1]}")
    return fields


def acknowledgement(message_id: str, received_at: datetime, duplicate: bool) -> bytes:
    """The receiver's ontvangstbevestiging (also for a message it had already)."""
    root = ET.Element(f"{_Q}Ontvangstbevestiging")
    ET.SubElement(root, f"{_Q}BerichtId").text = message_id
    ET.SubElement(root, f"{_Q}Ontvangen").text = received_at.isoformat()
    ET.SubElement(root, f"{_Q}Herhaling").text = "true" if duplicate else "false"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def acknowledged_id(body: bytes) -> str | None:
    try:
        return ET.fromstring(body).findtext(f"{_Q}BerichtId")
    except ET.ParseError:
        return None
