"""A run of an SOP: its events, the state derived from them, working-time deadlines and the use-cases."""
