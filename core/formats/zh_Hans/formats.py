"""How dates and times are written in Chinese; core/formats/en/formats.py is its English twin.

The one rule (templates use the named formats, never a format string of their own):

- A date is written with its year: 2026年12月2日 (DATE_FORMAT, `{{ day|date }}`); English
  "Dec. 2, 2026". Lists and tables too: a row from last year must not read as this year's.
- A moment is the date and the time to the minute: 2026年12月2日 14:05 (DATETIME_FORMAT,
  `{{ at|date:"DATETIME_FORMAT" }}`); English "Dec. 2, 2026, 14:05" (a 24-hour clock in both).
- Only a deadline said in a sentence, a few days or weeks ahead, drops its year: 12月8日
  (MONTH_DAY_FORMAT; "December 8"), as in "异议期至 12月8日" and a notification's due date
  (monitoring/messages.py `dates`; `dates_with_year` when the period may cross a year).
- A form's date box and a <time datetime="…"> attribute stay ISO (2026-12-02): they are read by
  the browser, not by a person.

SHORT_* are the same as the long ones, so that `|date:"SHORT_DATE_FORMAT"` cannot bring back
another way of writing a date.
"""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y年n月"
# Django's zh_Hans writes a month and day as "03月2日" (the month padded, the day not); people
# write "3月2日", as its DATE_FORMAT does ("Y年n月j日").
MONTH_DAY_FORMAT = "n月j日"
