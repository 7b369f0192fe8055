# Thursday 7 October 2027 · 7 Oct 2027 (day first, as in Belgium and Luxembourg)
DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
EXCEL_DATETIME_FORMAT = "d mmm yyyy hh:mm"
