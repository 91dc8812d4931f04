"""The answers as a clinician reviews them: collected, quoted from their sources, versioned, rendered.

`python -m bot content-review` writes the document to sign (bot/content/builder.py); the console's
"Contenus" page records each answer's approval (bot/content/signoff.py).
"""
