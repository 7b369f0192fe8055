"""English dates for a Belgian programme: a 24-hour clock, as on the French pages.

Django's English "11:59 p.m." ends with a full stop, which doubled the one of every sentence
ending with a date ("You can edit it until March 1, 2027, 11:59 p.m..").
"""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
# Short forms too: day first and a 24-hour clock, as a Belgian reader writes them.
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
