"""The declared release procedure: ordered steps, each check -> plan -> apply -> re-check."""
