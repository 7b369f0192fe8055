# Donnerstag, 7. Oktober 2027 · 07.10.2027
DATE_FORMAT = "l, j. F Y"
DATETIME_FORMAT = "l, j. F Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
TIME_FORMAT = "H:i"
EXCEL_DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
