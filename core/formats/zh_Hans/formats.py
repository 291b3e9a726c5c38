# Django's zh_Hans writes a month and day as "03月2日" (the month padded, the day not); people
# write "3月2日", as its DATE_FORMAT does ("Y年n月j日").
MONTH_DAY_FORMAT = "n月j日"
