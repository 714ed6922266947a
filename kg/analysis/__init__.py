"""Analysis on top of queries: link prediction, hypotheses and their cards, time-sliced evaluation."""
