"""A written order (`domain.huisverbod_order.WrittenOrder`) as a PDF, with fpdf2: pure Python,
so an image or CI machine needs no system libraries. The DejaVu font travels with the package
(domain/fonts, its licence beside it) so that every name prints as written, not only Latin-1.

A pure function of the order (the same order gives the same bytes), so the API serves it and
the activity that files it in a municipality's zaaksysteem sends the same file."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from domain.huisverbod_order import WrittenOrder, moment

FONTS = Path(__file__).with_name("fonts")
FONT = "DejaVu"


def render(order: WrittenOrder) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(order.title)
    pdf.set_author(f"Gemeente {order.municipality}")
    pdf.set_creation_date(order.decided_at)  # the same order is the same file
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.set_font(FONT, "B", size)
        pdf.multi_cell(0, size * 0.6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def text(body: str) -> None:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, body, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    heading(f"Gemeente {order.municipality}", 11)
    heading(order.title, 15)
    text(f"Datum en tijd van het besluit: {moment(order.decided_at)}")
    heading("Betrokkene")
    text(f"Uithuisgeplaatste: {order.person}\nWoning: {order.address}")
    heading("Besluit")
    for paragraph in order.dictum:
        text(paragraph)
    heading("Feiten en omstandigheden (verzoek van de politie)")
    text(order.grounds)
    heading("Overwegingen")
    text(order.reason)
    heading("Termijnen")
    pdf.set_font(FONT, "", 9)
    with pdf.table(col_widths=(50, 50, 70), text_align="LEFT") as table:
        table.row(("", "Datum en tijd", "Grondslag"))
        for d in order.dates:
            table.row((d.label, moment(d.at), d.article))
    pdf.ln(4)
    heading("Rechtsmiddel")
    text(order.remedy)
    pdf.ln(4)
    text(order.signed_by)
    return bytes(pdf.output())
