"""The inzage export (`domain.inzage.InzageExport`) as a PDF for the person who asked, with
fpdf2 and the DejaVu font of the written orders (every name prints as written). A pure
function of the export: what the JSON holds, the PDF says, in Dutch, nothing more."""

from __future__ import annotations

from fpdf import FPDF

from domain.inzage import CORRECTABLE, FileExport, InzageExport, file_label
from domain.order_pdf import FONT, FONTS
from domain.workdays import dutch_date, dutch_time


def _own(f: FileExport) -> list[tuple[str, str]]:
    p = f.person
    return [
        ("Naam", p.name),
        ("Geboortedatum", dutch_date(p.birth_date) if p.birth_date else "niet bekend"),
        ("Adres", p.address or "niet bekend"),
        ("Burgerservicenummer", p.bsn or "niet bekend"),
        ("Rol in het dossier", p.role),
    ]


def _masked(f: FileExport) -> str:
    counts: dict[str, int] = {}
    for m in f.masks:
        counts[m.kind_name] = counts.get(m.kind_name, 0) + m.count
    return ", ".join(f"{name} ({n}x)" for name, n in counts.items())


def render(export: InzageExport) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Inzage in uw gegevens bij Veilig Thuis")
    pdf.set_author(f"Veilig Thuis, regio {export.region}")
    pdf.set_creation_date(export.generated_at)
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.set_font(FONT, "B", size)
        pdf.multi_cell(0, size * 0.6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def text(body: str, size: int = 10) -> None:
        pdf.set_font(FONT, "", size)
        pdf.multi_cell(0, 5, body, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def table(widths: tuple[int, ...], head: tuple[str, ...], rows: list[tuple[str, ...]]):
        if not rows:
            text("Geen.")
            return
        pdf.set_font(FONT, "", 8)
        with pdf.table(col_widths=widths, text_align="LEFT") as t:
            t.row(head)
            for row in rows:
                t.row(row)
        pdf.ln(3)

    heading("Inzage in uw gegevens bij Veilig Thuis", 15)
    text(
        f"Overzicht van {dutch_time(export.generated_at)} op uw verzoek (artikel 15 AVG): de "
        "gegevens die Veilig Thuis over u heeft, wat daarover is bericht en aan wie, en wie uw "
        "gegevens heeft ingezien. Gegevens van anderen in hetzelfde dossier zijn afgeschermd "
        "(artikel 15 lid 4 AVG)."
    )
    who = export.subject
    heading("Over wie dit overzicht gaat")
    table(
        (50, 120),
        ("", ""),
        [
            ("Naam", who.name),
            ("Geboortedatum", dutch_date(who.birth_date) if who.birth_date else "niet bekend"),
            ("Hoe u bent gevonden", who.identified_by),
            ("Dossiers", "\n".join(who.files)),
        ],
    )
    for f in export.files:
        heading(file_label(f.kind, f.number, f.file_id).capitalize(), 13)
        text(f"Geopend op {dutch_time(f.opened_at)}")
        heading("Uw gegevens")
        table((50, 120), ("", ""), _own(f))
        heading("Anderen in dit dossier")
        table(
            (50, 60, 60),
            ("Rol", "Naam", "Adres"),
            [(o.role, o.name, o.address or "") for o in f.others],
        )
        if f.reported_by:
            text(f"Gemeld door: {f.reported_by}")
        heading("Inhoud")
        for t in f.content:
            text(t)
        if f.masks:
            text("Afgeschermd of achtergehouden in dit dossier: " + _masked(f) + ".")
        heading("Verloop")
        table((35, 135), ("Wanneer", "Wat"), [(dutch_time(e.at), e.text) for e in f.timeline])
        heading("Berichten en aan wie")
        table(
            (30, 60, 80),
            ("Wanneer", "Bericht", "Aan"),
            [(dutch_time(n.at), n.subject, "\n".join(n.recipients)) for n in f.notices],
        )
        heading("Wie uw gegevens heeft ingezien")
        table(
            (30, 40, 50, 50),
            ("Wanneer", "Wie", "Organisatie", "Wat"),
            [(dutch_time(a.at), f"{a.who} ({a.role})", a.organisation, a.action) for a in f.access],
        )
        heading("Correcties")
        table(
            (30, 30, 40, 40, 30),
            ("Wanneer", "Gegeven", "Was", "Is nu", "Reden"),
            [
                (
                    dutch_time(c.at),
                    CORRECTABLE.get(c.field, c.field),
                    c.old_value or "",
                    c.new_value or "",
                    c.reason,
                )
                for c in f.corrections
            ],
        )
    return bytes(pdf.output())
