"""Use cases shared by the CLI and (later) the web front desk. They take ports and
plain values and return plain results; they never print."""
