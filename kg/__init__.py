"""medkg: build a medical knowledge graph from PubMed abstracts and clinical notes."""

__version__ = "0.1.0"
