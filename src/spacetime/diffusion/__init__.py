"""Rectified flow: x_t = (1 - t) x0 + t noise; the model predicts v = noise - x0."""

from .flow import euler, sigmas, starting_at, train_times

__all__ = ["euler", "sigmas", "starting_at", "train_times"]
