"""The annual work report as a Word document (.docx): the same text and tables as the page.

Written with python-docx on A4, in the fonts of Chinese official documents (GB/T 9704): 宋体
title, 黑体 headings, 仿宋 body, with the page number in the footer.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from centers.annual import date_label

DOCX_FONTS = {"title": "宋体", "heading": "黑体", "body": "仿宋", "table": "宋体"}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_font(target, name, size=None, *, bold=None):
    """Set a run's or style's font, East Asian glyphs included (python-docx sets Latin only)."""
    target.font.name = name
    if size is not None:
        target.font.size = size
    if bold is not None:
        target.font.bold = bold
    r_pr = target.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)
    # A theme font wins over a named one in Word: drop the theme references of the template.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attribute), None)


def _docx_page_number(paragraph):
    """A PAGE field in the footer: Word fills in the number."""
    field_run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field_run._r.append(element)


def report_docx(report):
    """The report as a Word document (A4): title, headings, paragraphs, examples and tables,
    the same text as the page. Returns the file's bytes."""
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = report.center.name
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(37), Mm(35)
    page.left_margin, page.right_margin = Mm(28), Mm(26)

    styles = document.styles
    _docx_font(styles["Normal"], DOCX_FONTS["body"], Pt(14))
    styles["Normal"].paragraph_format.line_spacing = 1.5
    heading = styles["Heading 1"]
    _docx_font(heading, DOCX_FONTS["heading"], Pt(16), bold=False)
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(6)

    def body(text, *, indent=True, size=None):
        paragraph = document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(28)
        run = paragraph.add_run(text)
        if size is not None:
            run.font.size = size
        return paragraph

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_font(title.add_run(report.title), DOCX_FONTS["title"], Pt(22), bold=True)
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta_run = meta.add_run(
        _("统计期间：%(period)s　生成日期：%(day)s")
        % {"period": report.period_label, "day": date_label(report.generated_on)}
    )
    _docx_font(meta_run, DOCX_FONTS["body"], Pt(12))

    body(report.lead)
    for chapter in report.chapters:
        document.add_heading(chapter.heading, level=1)
        for text in chapter.paragraphs:
            body(text)
        for number, example in enumerate(chapter.examples, start=1):
            paragraph = body("", indent=True)
            lead_run = paragraph.add_run(
                _("%(number)s. “%(title)s”（%(center)s）：")
                % {"number": number, "title": example.title, "center": example.center}
            )
            lead_run.bold = True
            paragraph.add_run(example.resolution)
        for table in chapter.tables:
            caption = document.add_paragraph()
            _docx_font(caption.add_run(table.caption), DOCX_FONTS["heading"], Pt(12))
            grid = document.add_table(rows=1, cols=len(table.headers), style="Table Grid")
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
            for column, header in enumerate(table.headers):
                cell = grid.rows[0].cells[column]
                cell.paragraphs[0].text = ""
                _docx_font(
                    cell.paragraphs[0].add_run(str(header)),
                    DOCX_FONTS["table"],
                    Pt(10.5),
                    bold=True,
                )
            for row in table.rows:
                cells = grid.add_row().cells
                for column, value in enumerate(row):
                    paragraph = cells[column].paragraphs[0]
                    if column in table.numeric:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    _docx_font(paragraph.add_run(str(value)), DOCX_FONTS["table"], Pt(10.5))
            document.add_paragraph()

    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_page_number(footer)

    out = BytesIO()
    document.save(out)
    return out.getvalue()
