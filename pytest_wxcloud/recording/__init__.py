"""Recorded callFunction responses: cassettes, record modes, matchers, redaction, verification."""
