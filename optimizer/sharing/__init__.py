"""Sharing: who pays what (allocation, Shapley values, the least core) and the terms of each agreement — no model."""
