"""How dates and times are written in English: the rule is in core/formats/zh_Hans/formats.py."""

DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
# A 24-hour clock, as in Chinese ("14:05", not "2:05 p.m.").
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
