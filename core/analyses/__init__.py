"""Analyses of embeddings beyond the map: drift (`drift`: the two-sample test, `drift_explained`: what moved,
`windows`: dated documents tested window by window), two encoders compared (`compare`), concept axes
(`concepts`), words in context (`context`), encoding features (`features`), the recommender (`recommend`),
static word vectors (`words`) and the distillation of MiniLM into static vectors (`distill`).

Nothing is re-exported here: `core.drift` is the test function itself (see core/__init__.py), and a name here
would shadow the module it comes from."""
