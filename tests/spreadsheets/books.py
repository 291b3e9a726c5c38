"""Workbooks for the tests, written with openpyxl the way a township's staff would fill them."""

from io import BytesIO

import openpyxl
from django.utils import translation

from spreadsheets.columns import COLUMNS
from tests.conftest import HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP
from tests.idgen import make_id_number


def headers(language: str = "zh-hans") -> list[str]:
    with translation.override(language):
        return [column.header for column in COLUMNS]


def member_row(number: str, village: str, name: str, id_number: str, relation: str, **cells):
    """One member row, as a dict by column key, with the household repeated."""
    row = {
        "number": number,
        "village": village,
        "poverty_status": "脱贫户",
        "poverty_exit_year": 2019,
        "address": "水源村1社",
        "phone": "13893001111",
        "bank_account": "6228480402564890099",
        "name": name,
        "id_number": id_number,
        "relation": relation,
        "labour": "普通劳动力",
        "education": "初中",
        "health": "健康",
        "disability": "无",
        "schooling": "非在校生",
        "work": "省内县外务工",
        "medical_insurance": "是",
        "pension_insurance": "否",
        "dibao": "否",
        "tekun": "否",
        "status": "在户",
    }
    row.update(cells)
    return row


def good_rows() -> list[dict]:
    """Two households of the home township, three people."""
    return [
        member_row(
            "6204231002000101",
            HOME_VILLAGE,
            "赵大山",
            make_id_number("620423", "19700101", 11),
            "户主",
        ),
        member_row(
            "6204231002000101",
            HOME_VILLAGE,
            "钱小梅",
            make_id_number("620423", "19720202", 12),
            "配偶",
            work="在家务农",
        ),
        member_row(
            "6204231002010102",
            OTHER_VILLAGE_SAME_TOWNSHIP,
            "孙长河",
            make_id_number("620423", "19650303", 13),
            "head",
            poverty_status="一般农户",
            poverty_exit_year=None,
        ),
    ]


def workbook(rows: list[dict], *, header_row: list[str] | None = None, edit=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    keys = [column.key for column in COLUMNS]
    sheet.append(header_row or headers())
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    if edit:
        edit(sheet)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def column_letter(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([column.key for column in COLUMNS].index(key) + 1)
