"""The money rules: currencies and rounding, and the per-value formulas of a revenue share
(rate, tiers, caps, minimums) that settle, simulate and decide's texts all use.
"""
