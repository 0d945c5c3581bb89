"""Cull for me (issue 42): a first cull Curator proposes from what the stages
measured — keeps, rejects and highlights with their reasons — never a
decision until the photographer accepts it.

plan (`catalog.proposals.plan`: the catalog read once into `ProposalFrame`s)
→ run (`rules.propose`: pure, over plain records; `checks` the per-frame
checks and the kinds of shoot, `moments` the moments of a burst, `coverage`
a keep for every person of the shoot) → apply
(`catalog.proposals.store.write_proposals`: one transaction per photographer).
"""
