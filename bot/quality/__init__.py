"""Measuring the assistant on whole conversations: labelled cases, what each reply did, the scores.

Used by `make bench` (bench/conversations.py) and by the learning gate; pure except `runner`.
"""
