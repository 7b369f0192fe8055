"""English dates, day first as in Belgium and Luxembourg, and a 24-hour clock: Django's
"11:59 p.m." doubled the full stop of every sentence ending with a time."""

DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
EXCEL_DATETIME_FORMAT = "d mmm yyyy hh:mm"
