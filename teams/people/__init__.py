"""People: rosters (import), accounts and invitations, the students' rankings."""
