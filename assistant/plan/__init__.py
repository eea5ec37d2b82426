"""The typed plan of a question (QueryPlan): the semantic layer an LLM, an agent or the offline reader fills."""
