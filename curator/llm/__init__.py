"""The describe stage's pure layer: the vision LLM as a data-entry clerk.

- `schema`: `PhotoMetadata` (what the model must return) and the tag rules;
- `prompt`: the words sent with each photo and `PROMPT_VERSION`;
- `errors`: typed `LLMError`s with human messages, and the fault classifier;
- `config`: `LLMConfig`; `health`: `check_llm`;
- `client`: `Describer`, `run_describe` (and the names above, re-exported).

No Qt, no catalog: workers get a frozen `DescribeRequest` and return a
`DescribeResult` or `DescribeFailure`. Importing this package is cheap;
instructor and openai load on the first description.
"""
