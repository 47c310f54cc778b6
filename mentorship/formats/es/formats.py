# The same names in Spanish: "30 nov 2026", 24-hour times as Spanish speakers write them.
# "b" is the lowercase month abbreviation ("M" capitalises it: "Nov").
DATE_FORMAT = "j b Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATETIME_FORMAT = "j b, H:i"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "F \\d\\e Y"
TIME_FORMAT = "H:i"
# Spanish as written in the US and Mexico, where our readers are: 1,234.5 (not 1.234,5).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
