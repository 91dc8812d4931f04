"""Red-flag detector of the patient assistant: emergency symptoms reported in a French message."""

from bot.core.redflags.detector import Detection, RedFlagDetector

__all__ = ["Detection", "RedFlagDetector"]
