"""Text analysis, the first step after a source: the bio tokenizer (:mod:`kg.text.tokenizer`),
sentences and abbreviations (:mod:`kg.text.analyzer`) and note sections (:mod:`kg.text.sections`)."""
