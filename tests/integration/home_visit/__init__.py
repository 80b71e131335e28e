"""A sixth, fictitious procedure — a home visit — made of its own modules only, to show that
a new procedure needs no edit to any existing module: `domain.py` (commands, state, rules,
labels and its spec), `workflow.py`, and one `register` line in the test."""
