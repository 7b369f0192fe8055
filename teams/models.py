# Student, Supervisor, Preference, Team, Milestone and Feedback arrive with the teams issue.
