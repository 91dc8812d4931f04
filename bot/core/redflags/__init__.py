"""Red-flag detector of the patient assistant: emergency symptoms reported in a French message.

One call: `analyse(text, doc=None) -> Report` (analysis.py). The word lists are data: lexicon.yml
(patterns, cues, grammar words) and normalize.yml (SMS spellings).
"""

from bot.core.redflags.analysis import Detection, RedFlagDetector, Report, analyse, default_detector

__all__ = ["Detection", "RedFlagDetector", "Report", "analyse", "default_detector"]
