"""The PDF's typeface: Bitstream Vera, the TrueType family ReportLab ships in its own package.

Embedded (a TrueType subset in the file), so the report looks the same on every printer and
viewer, and it has every glyph a pt-BR report needs: á â ã à ç é ê í ó ô õ ú, R$, º, ª and "–".
The standard PDF fonts (Helvetica...) are not embedded and depend on the viewer; shipping no font
file of ours keeps the repository free of one more licence (Vera's is ReportLab's to carry).
Arrows are drawn as shapes (render_pdf.py), not glyphs: Vera has none.
"""

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "SecretariaSans"
BOLD = "SecretariaSans-Bold"
ITALIC = "SecretariaSans-Italic"
BOLD_ITALIC = "SecretariaSans-BoldItalic"
_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}


@cache
def fonts_register() -> str:
    """Register the family once per process (ReportLab finds the files on its own font path)."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
    for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, ITALIC), (1, 1, BOLD_ITALIC)):
        addMapping(REGULAR, bold, italic, name)  # <b> and <i> inside a Paragraph
    return REGULAR
