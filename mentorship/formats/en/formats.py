# How dates read on our pages in English ("Nov 30, 2026"); the names templates use
# (|date:"DATE_FORMAT") are Django's. Names not set here are Django's English ones.
DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i A"
SHORT_DATETIME_FORMAT = "M j, g:i A"
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "g:i A"
