"""Data protection: a contact person's data exported, erased, purged after retention."""
