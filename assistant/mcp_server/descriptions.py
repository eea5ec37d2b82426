"""What each MCP tool and argument is for, written for the LLM that picks the tools (data, not logic)."""

from __future__ import annotations

INSTRUCTIONS = (
    "A knowledge graph of machine-learning model cards (MRM3 format): models, the datasets they were trained on, "
    "their architectures, services, training runs (carbon, energy, time, evaluation metrics) and inference runs "
    "per device and batch size (latency, energy, carbon). Prefer the typed tools: find_models to filter, "
    "recommend_model to pick the best model for an objective under constraints, pareto_front for trade-offs, "
    "get_model for one model's card. Call graph_schema first to learn the dataset, service, architecture and "
    "device names and the metric names the tools take. Units: carbon in g CO2, energy in J, time in s, sizes in "
    "bytes; inference carbon and energy are per inference. A carbon or energy of 0 means NOT MEASURED, never free: "
    "such models are left out of rankings and counted in left_out_unmeasured. Everything is read-only."
)

ASK = (
    "Answer a question about the model catalog in plain English, e.g. 'Which model has the lowest training carbon "
    "footprint on lumos5g?'. Returns the answer with units, what the assistant understood (interpretation), the "
    "Cypher that ran, its rows and caveats; answered=false when it declined (the answer says why, e.g. a name the "
    "graph lacks). Use the typed tools when the question fits them: their results are easier to check."
)
QUESTION = "One standalone question (no follow-ups: each call is independent)."

FIND_MODELS = (
    "List the models matching typed filters: dataset, service, architecture, device (all optional) and numeric "
    "conditions on metrics, e.g. conditions=[{'metric': 'accuracy', 'op': '>=', 'value': 0.9}, {'metric': "
    "'training_carbon', 'op': '<', 'value': 5}]. Each model comes with the values its conditions name, with units, "
    "and its dataset, architecture and services. A name the graph lacks is an error naming the closest values. "
    "Metric names: see graph_schema.metrics."
)

RECOMMEND = (
    "Recommend the best model for an objective under constraints, e.g. 'minimise training carbon subject to "
    "accuracy >= 0.9 on cifar10' is objective={'metric': 'training_carbon', 'goal': 'minimize'}, constraints="
    "{'dataset': 'cifar10', 'conditions': [{'metric': 'accuracy', 'op': '>=', 'value': 0.9}]}. Only measured values "
    "rank (carbon/energy of 0 = not measured; left_out_unmeasured counts them). For an inference metric each "
    "model's best run counts, with its device and batch size. Returns the recommended model and a ranking."
)
OBJECTIVE = "The metric to optimise (graph_schema.metrics) and the goal; the goal defaults to the better direction."
CONSTRAINTS = "Filters the recommended model must satisfy: dataset, service, architecture, device, conditions."

PARETO = (
    "The Pareto front of a quality metric (e.g. 'accuracy', 'r_squared') against a cost metric (e.g. "
    "'training_carbon', 'inference_energy', 'inference_latency'): the models no other measured model beats on both. "
    "Returns the front and the dominated models, each with both values and units; models without both values "
    "measured are left out and counted."
)
QUALITY_METRIC = "An evaluation metric of kind 'quality' in graph_schema.metrics, e.g. 'accuracy', 'r_squared', 'mae'."
COST_METRIC = "A metric of kind 'cost' in graph_schema.metrics, e.g. 'training_carbon', 'inference_latency'."
FILTERS = "Optional filters on the models: dataset, service, architecture, device, conditions."

GET_MODEL = (
    "Everything the graph holds about one model, by exact name (case does not matter): its properties, dataset, "
    "architecture, services, problem types, training runs (device, parameters, hyperparameters, carbon, energy, "
    "times, evaluation metrics) and inference runs (device, batch size, latency, energy and carbon in total and per "
    "inference). Every value has its unit; 'measured': false marks a carbon or energy of 0 (not measured)."
)
MODEL_NAME = "The model's name, e.g. 'KNeighborsRegressor-lumos5g-KFold' (find_models lists them)."

GRAPH_SCHEMA = (
    "The graph's schema, read live without APOC: node labels with counts and properties (types, values or ranges, "
    "units), relationship patterns with their direction, and the metric names (with unit and better direction) "
    "that find_models, recommend_model and pareto_front accept. Call it first."
)

READ_CYPHER = (
    "Run one read-only Cypher statement and return its rows. Use it only when no typed tool fits. The statement "
    "passes the assistant's Cypher guard (writes, procedures other than reads, LOAD CSV, several statements and "
    "runaway patterns are refused with the reason), runs with a read-only account and a time limit, and gets a "
    "LIMIT at the row cap. Pass values as params ($name), not inside the text. Units: graph_schema and "
    "mrm3://units."
)
QUERY = "One Cypher read statement, e.g. 'MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset {name: $d}) RETURN m.name'."
PARAMS = "Parameters of the statement, e.g. {'d': 'lumos5g'}."
ANSWER_PLAN = (
    "Answer a typed query plan you fill yourself (the semantic layer the assistant's own LLM and reader use): "
    "certified names only (metrics and entity kinds as graph_schema lists them), never Cypher. The plan is checked "
    "(an unknown name is refused with the allowed ones), compiled and explained with the domain's rules: measured "
    "values only, per inference = total / num_of_runs, units. Kinds: rank, list, count, lookup, compare, aggregate, "
    "group_best, group_aggregate, group_count, pareto, dominance, what_if."
)
PLAN = "The plan: answer (what is returned), metric, entities, conditions with units, grouping ... (its JSON schema)."
PLAN_QUESTION = "The question in words, as the user asked it (shown with the answer; optional)."
COMPARE_MODELS = (
    "Two or more named models by one metric, best first, with the difference (in the metric's unit) and the ratio "
    "of the first two; an unmeasured side is said, with no number."
)
MODELS = "Model names as the graph holds them (graph_schema, find_models)."
COMPARE_METRIC = "A metric name from graph_schema's 'metrics', e.g. 'training_carbon', 'mae'."
WHAT_IF_REGION = (
    "A model's training on other countries' grids: its training energy (J -> kWh) x each grid's carbon intensity "
    "(g CO2 per kWh, CodeCarbon's per-country data, year named), where it is least, or the saving of a move from "
    "the first region to the second; the grid the card was measured on when its carbon over energy matches one."
)
REGIONS = "Countries by name or ISO code, e.g. ['France', 'DEU', 'Slovenia']; for 'saving': [from, to]."
REGION_ASK = "'amount' (each grid's carbon), 'least' (where it is lowest) or 'saving' (moving from regions[0] to [1])."
