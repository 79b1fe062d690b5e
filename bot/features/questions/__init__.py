"""Question tracking: /ask, threads, accepted answers, 30-minute escalation, FAQ search."""
