"""What every page a persona opens must be, on a phone and on a desktop (issue 18):

- nothing scrolls sideways;
- on the phone, every link, button, field and fold is a tap target at least 44 px high, a link
  inside a running sentence aside, and a list row's main link counted as its whole row;
- on the phone, the header takes at most 15% of the screen's height;
- no string left untranslated: no English of the page's own in a Chinese page, no Chinese in an
  English one (tests/page_language.py tells the page's words from the data it shows);
- no console error and no Content-Security-Policy violation.

`Watcher` listens to a visitor's page from the start, `Watcher.look(name)` checks the page as it
is now and keeps its screenshot; the test asserts `watcher.problems == []` at its end, so a walk
reports every problem of every page at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.page_language import chinese_words, english_words

if TYPE_CHECKING:
    from tests.browser.conftest import Visitor

MIN_TARGET = 44
# Sub-pixel layout: a 44 px box may measure 43.6.
TOLERANCE = 0.5
HEADER_SHARE = 0.15

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""

# Each visible control whose tap box is under the minimum, described for the failure message.
SMALL_TARGETS = """(minimum) => {
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]");
  const small = [];
  const inSentence = (element) => {
    // A link inside running text: its parent says words of its own around it.
    const parent = element.parentElement;
    if (!parent || element.tagName !== "A") return false;
    const style = getComputedStyle(element);
    if (style.display !== "inline") return false;
    return [...parent.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim().length > 1);
  };
  for (const element of controls) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not shown (folded, hidden)
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || element.closest("[hidden], .visually-hidden")) continue;
    let height = box.height;
    if (element.matches("a.row-link")) {
      const row = element.closest("tr, li");
      if (row) height = row.getBoundingClientRect().height;
    }
    if (element.matches("input[type=checkbox], input[type=radio], input[type=file]")) {
      const label = element.closest("label")
        || (element.id && document.querySelector(`label[for="${element.id}"]`));
      if (label) height = Math.max(height, label.getBoundingClientRect().height);
    }
    if (height + 0.5 >= minimum || inSentence(element)) continue;
    const text = (element.innerText || element.value || element.getAttribute("aria-label")
      || element.getAttribute("name") || "").trim().slice(0, 30);
    const where = element.getAttribute("href") || element.className || "";
    small.push(`<${element.tagName.toLowerCase()}> "${text}" ${where} ${Math.round(height)} px`);
  }
  return small;
}"""

# The page's width with every folded section opened, then folded again as it was.
WIDTH_UNFOLDED = """() => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach((details) => { details.open = true; });
  const width = document.documentElement.scrollWidth;
  closed.forEach((details) => { details.open = false; });
  return width;
}"""

LAYOUT = """() => {
  const header = document.querySelector("body > header");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    header: header ? header.getBoundingClientRect().height : 0,
    language: document.documentElement.lang,
  };
}"""


class Watcher:
    def __init__(self, visitor: Visitor, *, phone: bool):
        self.visitor = visitor
        self.phone = phone
        self.problems: list[str] = []
        self.seen = 0
        visitor.context.add_init_script(REPORT_VIOLATIONS)
        visitor.page.on("console", self._console)
        visitor.page.on("pageerror", lambda error: self._note("page error", str(error)))

    @property
    def page(self):
        return self.visitor.page

    def _note(self, what: str, detail: str) -> None:
        self.problems.append(f"{self.page.url} · {what}: {detail}")

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        # Offline on purpose (the visit queue's tests): the failed fetch is the point.
        if "net::ERR_INTERNET_DISCONNECTED" in text:
            return
        csp = "Content Security Policy" in text or "CSP violation" in text
        self._note("CSP violation" if csp else "console error", text)

    def look(self, name: str) -> None:
        """Check the page as it is now, and keep its screenshot as `name`."""
        self.seen += 1
        suffix = "phone" if self.phone else "desktop"
        self.visitor.shot(f"{self.seen:02d}-{name}-{suffix}")
        layout = self.page.evaluate(LAYOUT)
        if layout["scrollWidth"] > layout["innerWidth"]:
            wide = f"{layout['scrollWidth']} px wide on {layout['innerWidth']}"
            self._note("scrolls sideways", wide)
        else:
            unfolded = self.page.evaluate(WIDTH_UNFOLDED)
            if unfolded > layout["innerWidth"]:
                wide = f"{unfolded} px wide on {layout['innerWidth']}"
                self._note("scrolls sideways once its sections are opened", wide)
        if self.phone:
            limit = layout["innerHeight"] * HEADER_SHARE
            if layout["header"] > limit + TOLERANCE:
                self._note("header too tall", f"{layout['header']:.0f} px > {limit:.0f} px")
            for small in self.page.evaluate(SMALL_TARGETS, MIN_TARGET):
                self._note("tap target under 44 px", small)
        html = self.page.content()
        if layout["language"].startswith("zh"):
            for words in english_words(html):
                self._note("untranslated", words)
            self._english_too()
        else:
            for words in chinese_words(html):
                self._note("Chinese in an English page", words)

    def _english_too(self) -> None:
        """The same page, asked for again in English with the same session: what the browser
        suite opens in Chinese must be complete in English too."""
        english = {"Accept-Language": "en"}
        response = self.visitor.context.request.get(self.page.url, headers=english)
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            return
        for words in chinese_words(response.text()):
            self._note("Chinese in the English page", words)
