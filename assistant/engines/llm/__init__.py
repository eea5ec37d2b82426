"""The LLM engine: GraphCypherQAChain with the live schema, selected examples, the guard and repair."""
