"""Review: reviewers, scores per criterion, merit and spread, notes, similar problems."""
