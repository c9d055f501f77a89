# Latvian conventions (PRODUCT.md): 05.03.2021., "2021. gada 5. marts", Monday first, 24-hour time,
# 12 345,6 with a no-break space for thousands.
DATE_FORMAT = r"Y. \g\a\d\a j. F"
SHORT_DATE_FORMAT = "d.m.Y."
DATETIME_FORMAT = r"Y. \g\a\d\a j. F, H:i"
SHORT_DATETIME_FORMAT = "d.m.Y. H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = r"Y. \g. F"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y.", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y. %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
