"""What the Rasa server loads: our NLU components, policy, channels and tracker/lock stores."""
