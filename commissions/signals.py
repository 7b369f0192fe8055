"""Where other apps add to what the commissions app shows and owes (django.dispatch signals).

Each app connects its receivers in its `AppConfig.ready()`; this app never imports them, so
the apps above it (teams, network…) answer for their own data without an import cycle.
"""

from django.dispatch import Signal

# A section of the institution's private page. Receivers get `request`, `commission`,
# `token` and `forms` (bound forms a view shows again with their errors, by name) and return
# the section's HTML, or None when they have nothing to show yet.
portal_section = Signal()

# A contact person's data (data protection). Receivers get `commissions` (the contact's
# commissions in scope, a list), `email` and `programme_ids` (None: every programme).
# contact_export: return a dict of JSON-ready data, merged into the export.
contact_export = Signal()
# contact_erase: also get `scrubber` (commissions.privacy.contacts.Scrubber) and erase or
# scrub their own copies; return a dict of counts, merged into the erasure's report.
contact_erase = Signal()

# Links on the coordinators' home, per programme. Receivers get `programme` and `user` and
# return a list of (label, url).
workspace_links = Signal()

# A section of a commission's review page for coordinators. Receivers get `request` and
# `commission` and return HTML, or None.
review_section = Signal()

# Tabs of a call's coordinator workspace. Receivers get `call` and return a list of
# (label, url, name); `name` is what a page passes as `active` to mark its tab.
call_links = Signal()

# The private links of a commission were revoked (a coordinator's "revoke the private
# links"). Receivers get `commission`; whatever else opens that commission without a
# password (the teams' calendar address) is revoked with them.
links_revoked = Signal()

# Two institutions are one: `keep` absorbs `other` just before `other` is deleted. Receivers
# move what their app links to `other` (the network: participations, events, invitations).
institution_merged = Signal()
