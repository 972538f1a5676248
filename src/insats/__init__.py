"""Insats: from lägesbild to paying for measured outcomes."""
