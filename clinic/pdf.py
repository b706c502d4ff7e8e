"""The clinic's printed page (fpdf2, pure Python): the clinic's name
(`CLINIC_NAME`, `CLINIC_ADDRESS`) and the document's title at the top, when it
was printed and the page number at the foot, and helpers for headings,
label/value lines, paragraphs and tables. scheduling.exports prints a
patient's record and the admin's day schedule with it.

Text is set in DejaVu Sans, committed in clinic/fonts/ with its licence (no
system font is used), so Latin, Greek and Cyrillic names print as written.
A character the font has no glyph for (CJK among them) prints as "?": fpdf2
would otherwise log each missing character, and no log line may hold a
patient's name. For the same reason fontTools, which logs the glyphs of each
font subset at INFO, is held at WARNING (config/logs.py)."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
MISSING_GLYPH = "?"
CONTROL_CHARACTERS = frozenset("\n\r\t")
QUIET = (110, 110, 110)
BLACK = (0, 0, 0)
LABEL_WIDTH = 42  # mm, the label column of `fields`


class ClinicPDF(FPDF):
    """An A4 document of the clinic: `ClinicPDF("Record summary").heading(...)`,
    then `bytes(pdf.output())`."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document_title = title
        self.printed_at = timezone.localtime()
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_title(title)
        self.set_author(settings.CLINIC_NAME)
        self.set_creator(settings.CLINIC_NAME)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(left=16, top=14, right=16)
        self.add_page()

    def normalize_text(self, text: str) -> str:
        """What fpdf2 calls on every string it sets: a glyph the font lacks becomes "?"."""
        glyphs = self.current_font.cmap
        return "".join(
            character if ord(character) in glyphs or character in CONTROL_CHARACTERS else MISSING_GLYPH
            for character in super().normalize_text(text)
        )

    def header(self):
        self.set_font(FAMILY, "B", 14)
        self.cell(0, 7, settings.CLINIC_NAME, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 9)
        self.set_text_color(*QUIET)
        self.cell(0, 5, settings.CLINIC_ADDRESS, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*BLACK)
        self.set_font(FAMILY, "B", 12)
        self.cell(0, 8, self.document_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_font(FAMILY, "", 10)

    def footer(self):
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*QUIET)
        footer = _("Printed %(when)s (%(zone)s) · page %(page)s of %(pages)s") % {
            "when": date_format(self.printed_at, "d M Y H:i"),
            "zone": settings.TIME_ZONE,
            "page": self.page_no(),
            "pages": "{nb}",  # fpdf2's alias, the page count once the document is done
        }
        self.cell(0, 5, footer, align="C")
        self.set_text_color(*BLACK)

    def heading(self, text: str) -> None:
        """A section title, kept with at least a few lines of what follows."""
        if self.will_page_break(24):
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", 11)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 10)

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        """Label: value lines; a long value wraps in its column."""
        for label, value in pairs:
            self.set_font(FAMILY, "B", 10)
            self.cell(LABEL_WIDTH, 6, label)
            self.set_font(FAMILY, "", 10)
            self.multi_cell(0, 6, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5.5, text or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str) -> None:
        """A quiet line: "No appointments.", "Day off"."""
        self.set_text_color(*QUIET)
        self.paragraph(text)
        self.set_text_color(*BLACK)

    def table_of(self, headings: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        """A table whose headings repeat on each page it runs over."""
        self.set_font(FAMILY, "", 9)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=5,
            padding=(1, 1.5),
        ) as table:
            for values in [headings, *rows]:
                row = table.row()
                for value in values:
                    row.cell(value or "—")
        self.set_font(FAMILY, "", 10)
        self.ln(2)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
