"""Where the service keeps banks, runs, decisions, users and the audit log."""
