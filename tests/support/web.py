"""What the web tests share beyond web_helpers: a small scenario."""

from __future__ import annotations



SCENARIO = """\
scenario: tiny
agreement: openai-microsoft
versions: [2026-04-27]
first-year: 2026
horizon: 2
futures: 200
seed: 1
discount-rate: 10%
streams:
  sales:
    revenue: {seller: openai, channel: direct, product: chatgpt}
    start: 1000000
    growth: 10%
    volatility: 0%
"""
