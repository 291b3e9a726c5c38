"""The words a page says in its own voice (titles, labels, headings, help, buttons, choices),
apart from the data it shows (table cells, read-only values, what a user typed), so that a test
can tell English left in a Chinese page from a household number or a user name, and Chinese left
in an English page from a household head's name.

Data outside a table cell (a user's or a place's name in the header, a household head's name in a
heading, a stored note, a select whose options are villages, people or partners) is marked in
the template with the HTML attribute `translate="no"` (the standard's "this is not to be
translated"): `<span translate="no">{{ household.head_name }}</span>`,
`<select translate="no">` (a widget's attrs), `<h1>{% translate "Household" %} <span
translate="no">{{ number }}</span></h1>`. Everything inside such an element is data for both
english_words and chinese_words. Mark only the data, never the words around it. A select's
options taken from the database (a ModelChoiceField's: villages, people, partners) are marked one
by one by templates/django/forms/widgets/select_option.html, so its blank choice ("请选择") is still
the page's; a select of data built some other way is marked whole (`attrs={"translate": "no"}`).

The document's `<title>` is the page's {% block title %} once more as plain text, which cannot
mark the data in it (a household head's name in "Case · 姚彬"); it is left out, and the top
bar's copy of it (base.html's `page-name`) is marked as data: the page's own heading says the
same words with its data marked, and is checked.

An element with a `lang` attribute of another language (the language switcher's "简体中文" on an
English page, "English" on a Chinese one, a deliberate Chinese gloss such as
`<span lang="zh-Hans">(户籍)</span>` after an English label) is that language's text, not the
page's: `lang="zh"`, `"zh-Hans"`, … are Chinese, `lang="en"`, `"en-GB"`, … English."""

import re
from html.parser import HTMLParser

# Text inside these is data or code, not the page's words.
DATA_TAGS = frozenset({"script", "style", "textarea", "td", "code", "pre", "title"})
VOID_TAGS = frozenset({"br", "input", "img", "meta", "link", "hr", "col", "source", "wbr"})
SPOKEN_ATTRIBUTES = ("title", "placeholder", "aria-label")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


class _Words(HTMLParser):
    def __init__(self, page_language: str = "zh"):
        super().__init__()
        self.page_language = page_language
        self.in_data: list[bool] = []
        self.english: list[str] = []
        self.chinese: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        data = (
            tag in DATA_TAGS
            or "readonly" in classes
            or attributes.get("translate") == "no"
            # The admin's changelist puts each row's first column in a <th class="field-…">.
            or (tag == "th" and any(name.startswith("field-") for name in classes))
            or (
                bool(attributes.get("lang"))
                and not (attributes.get("lang") or "").startswith(self.page_language)
            )
        )
        if not any(self.in_data):
            for name in SPOKEN_ATTRIBUTES:
                if attributes.get(name):
                    self._heard(attributes[name])
        if tag not in VOID_TAGS:
            self.in_data.append(data)

    def handle_endtag(self, tag):
        if tag not in VOID_TAGS and self.in_data:
            self.in_data.pop()

    def handle_data(self, data):
        if not any(self.in_data):
            self._heard(data)

    def _heard(self, text: str) -> None:
        text = " ".join(text.split())
        if ENGLISH_WORD.search(text) and not CHINESE.search(text):
            self.english.append(text)
        if CHINESE.search(text):
            self.chinese.append(text)


def english_words(html: str) -> list[str]:
    """The page's own texts that are English only (no Chinese character in them)."""
    parser = _Words("zh")
    parser.feed(html)
    return parser.english


def chinese_words(html: str) -> list[str]:
    """The page's own texts that hold a Chinese character (English left untranslated shows as
    its msgid, so a Chinese word in an English page's own voice is a string that skipped
    translation: a stored message, a hard-coded label)."""
    parser = _Words("en")
    parser.feed(html)
    return parser.chinese
