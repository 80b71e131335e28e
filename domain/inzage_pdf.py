"""The inzage export (`domain.inzage.InzageExport`) as a tagged PDF (PDF/UA-1) for the person
who asked, from `domain/documents/templates/inzage.html`. A pure function of the export:
what the JSON holds, the PDF says, in Dutch, nothing more."""

from __future__ import annotations

from domain import documents
from domain.inzage import FileExport, InzageExport, file_label

TITLE = "Inzage in uw gegevens bij Veilig Thuis"


def _masked(f: FileExport) -> str:
    counts: dict[str, int] = {}
    for m in f.masks:
        counts[m.kind_name] = counts.get(m.kind_name, 0) + m.count
    return ", ".join(f"{name} ({n}x)" for name, n in counts.items())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]  # "Casus VT-HGL-…", its number as written


def render(export: InzageExport) -> bytes:
    files = [
        f.model_dump()
        | {"label": _capital(file_label(f.kind, f.number, f.file_id)), "masked": _masked(f)}
        for f in export.files
    ]
    return documents.pdf(
        "inzage.html",
        title=TITLE,
        author=export.region_name or "Veilig Thuis",
        created=export.generated_at,
        export={"subject": export.subject, "files": files},
        generated=documents.moment(export.generated_at),
    )
