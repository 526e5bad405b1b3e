"""Helpers the test modules share (test modules never import from one another)."""
