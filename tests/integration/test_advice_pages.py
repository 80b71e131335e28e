"""Veilig Thuis handles an advice question from the pages alone: register it, give advice
with a follow-up, turn it into a melding."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from api.auth import SESSION_COOKIE
from tests.integration.browsing import WAIT, csrf_header, page_session, shot, signed_in


async def test_a_worker_registers_advises_and_converts_an_advice_question(browser, site):
    worker = await signed_in(browser, site, "vt-haaglanden", "worker", name="Bram Advies")
    await worker.goto(f"{site}/casussen")
    await (
        worker.get_by_role("navigation", name="hoofdmenu")
        .get_by_role("link", name="Adviesvragen")
        .click()
    )
    await expect(worker.get_by_role("heading", name="Adviesvragen")).to_be_visible()
    await worker.get_by_role("link", name="Nieuwe adviesvraag registreren").click()

    await worker.get_by_label("Wie vraagt advies?").select_option(label="beroepskracht")
    await worker.get_by_label("Organisatie (alleen bij een beroepskracht)").fill("Huisartsenpost")
    await worker.get_by_label("Gemeente van het gezin (als bekend)").select_option("GM0518")
    await worker.get_by_label("De vraag").fill("Een patiënte vertelt over geweld thuis.")
    await worker.get_by_label("Naam 1").fill("Patiënte Pagina")
    await worker.get_by_label("Rol 1").select_option(label="slachtoffer")
    await worker.get_by_role("button", name="Adviesvraag registreren").click()
    await expect(worker.get_by_role("heading", name=re.compile("^Adviesvraag "))).to_be_visible()
    await expect(worker.locator("#status")).to_have_text("geregistreerd", timeout=WAIT)
    await expect(worker.locator(".summary")).to_have_text("Een patiënte vertelt over geweld thuis.")

    form = worker.locator("form.step", has_text="Advies geven")
    await form.get_by_label("Het advies").fill("Bespreek een veiligheidsplan met de patiënte.")
    await form.get_by_label("Opvolging afgesproken op (leeg: geen)").fill("2099-01-05T14:00")
    await form.get_by_role("button").click()
    await expect(form.get_by_role("status")).to_have_text(
        "Advies vastgelegd, opvolging afgesproken."
    )
    await expect(worker.locator("#status")).to_have_text("opvolging afgesproken", timeout=WAIT)
    await expect(worker.locator("#afspraken ~ table")).to_contain_text("05-01-2099 14:00")
    await expect(worker.locator(".advice-text")).to_have_text(
        "Bespreek een veiligheidsplan met de patiënte."
    )
    await shot(worker, "advice-with-follow-up")

    # a refusal comes back in Dutch beside its form
    await worker.reload()
    again = worker.locator("form.step", has_text="Opvolging gedaan")
    await again.get_by_label("Volgende opvolging op (leeg: geen)").fill("2001-01-01T10:00")
    await again.get_by_role("button").click()
    await expect(again.get_by_role("alert")).to_contain_text("Niet gelukt:")

    convert = worker.locator("form.step", has_text="Omzetten naar melding")
    await convert.get_by_label("Acute onveiligheid?").select_option(label="nee")
    await convert.get_by_label("Structurele onveiligheid?").select_option(label="ja")
    await convert.get_by_role("button", name="Omzetten naar melding").click()
    await expect(worker.get_by_role("heading", name=re.compile("^Casus "))).to_be_visible(
        timeout=WAIT
    )
    await expect(worker.locator("ol.events")).to_contain_text("advies voorafgaand aan de melding")
    await expect(worker.locator("table").first).to_contain_text("Patiënte Pagina")
    await shot(worker, "advice-converted-into-a-melding")

    await worker.goto(f"{site}/adviesvragen")
    await expect(worker.locator("tbody")).to_contain_text("omgezet in een melding")


async def test_a_refused_advice_form_keeps_what_was_typed_and_says_why_beside_it(
    app, site, settings
):
    token = page_session(settings, org="vt-haaglanden", role="worker")
    async with httpx.AsyncClient(
        base_url=site, cookies={SESSION_COOKIE: token}, headers=csrf_header(settings, token)
    ) as client:
        long = "Een vraag over een gezin. " * 80  # past the 2000 characters a question may have
        typed = {"vrager": "anonymous", "gemeente": "GM0518", "vraag": long, "naam1": "Sara"}
        r = await client.post("/adviesvragen/nieuw", data=typed)
        assert r.status_code == 422
        assert 'id="vraag-fout">te lang: hoogstens 2000 tekens' in r.text
        assert long.strip() in r.text and 'value="Sara"' in r.text
        assert "question" not in r.text and "controleer het formulier" not in r.text
        # an anonymous question, its family unnamed: the melding asks the municipality by name
        r = await client.post(
            "/adviesvragen/nieuw", data={"vrager": "anonymous", "vraag": "Zorgen om een buurkind."}
        )
        assert r.status_code == 303, r.text
        question = await client.get(r.headers["location"])
        assert '<select id="melding-gemeente"' in question.text
        assert "Gravenhage</option>" in question.text and "GM0518</" not in question.text
