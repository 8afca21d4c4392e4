"""Open checkpoints (Wan, LTX-Video, CogVideoX) from a local folder, with our verbs."""
