"""Segmentation of message bodies: new text, quotes, reply headers, signatures, footers...

Public API::

    from miner.clean import segment, learn_footers, parse_signature
"""
from __future__ import annotations

from miner.clean.footers import learn_footers
from miner.clean.segment import segment
from miner.clean.signature import parse_signature

__all__ = ["learn_footers", "parse_signature", "segment"]
