"""Training of the tone model: data loading, the trainer, and the builds of the word priors and
word vectors. Not part of the installed package: run it from the repository root
(`python -m training.train --data DIR`). The scorer (`workers/tone/`) never imports it.
"""
