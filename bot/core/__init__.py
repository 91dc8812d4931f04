"""Domain logic with no Rasa, web-framework or database import: intents, red flags, triage, answers."""
