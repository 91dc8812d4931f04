"""`python -m bot learn`: the staff's labels become training data, behind a gate that keeps the old model
unless the new one is at least as good on every measured set and on every red flag.

labels.py (which labels become examples), learned_file.py (the training file), gate.py (figures and
decision) are pure; evaluate.py plays the sets through a model, store.py reads and writes the tables,
cli.py runs the whole thing.
"""
