"""A portability check of Cypher text that does not use the project's guard or lexer.

Each statement is parsed by Neo4j's Cypher 25 ANTLR grammar (the embedded server
ships the generated parser, ``com.arcadedb.query.opencypher.grammar.Cypher25Parser``)
in a process of its own, and the grammar rules and functions its parse tree uses
are compared with the read-only openCypher constructs that Neo4j 5 and the
embedded server both implement. A statement is portable when it parses without a
syntax error and uses nothing else.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

# Parses each statement read from stdin (a JSON list) and prints, per statement, the
# syntax errors, the names of the grammar rules in its parse tree and the functions it calls.
_PARSER = """
import json, sys
from arcadedb_embedded.jvm import start_jvm
start_jvm(heap_size="256m")
from jpype import JClass, JImplements, JOverride
streams = JClass("org.antlr.v4.runtime.CharStreams")
token_stream = JClass("org.antlr.v4.runtime.CommonTokenStream")
terminal = JClass("org.antlr.v4.runtime.tree.TerminalNode")
lexer_class = JClass("com.arcadedb.query.opencypher.grammar.Cypher25Lexer")
parser_class = JClass("com.arcadedb.query.opencypher.grammar.Cypher25Parser")

@JImplements("org.antlr.v4.runtime.ANTLRErrorListener")
class Errors:
    def __init__(self):
        self.found = []
    @JOverride
    def syntaxError(self, recognizer, symbol, line, column, message, error):
        self.found.append(f"{line}:{column} {message}")
    @JOverride
    def reportAmbiguity(self, *args):
        pass
    @JOverride
    def reportAttemptingFullContext(self, *args):
        pass
    @JOverride
    def reportContextSensitivity(self, *args):
        pass

result = []
for text in json.load(sys.stdin):
    errors = Errors()
    lexer = lexer_class(streams.fromString(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    parser = parser_class(token_stream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(errors)
    stack, rules, functions = [parser.statements()], set(), []
    while stack:
        node = stack.pop()
        if isinstance(node, terminal):
            continue
        rule = str(parser_class.ruleNames[node.getRuleIndex()])
        rules.add(rule)
        if rule == "functionName":
            functions.append(str(node.getText()))
        stack.extend(node.getChild(i) for i in range(node.getChildCount()))
    result.append({"errors": errors.found, "rules": sorted(rules), "functions": functions})
json.dump(result, sys.stdout)
"""

# Grammar rules of read-only openCypher queries. Left out on purpose: procedure calls
# (callClause), parameters, writes, LOAD CSV, USE, and what only Cypher 25 or only Neo4j
# has (LET, FILTER, FINISH, WHEN, NEXT, quantified paths, dynamic labels, type predicates,
# standalone ORDER BY, match modes, SEARCH, vector functions, administration commands).
PORTABLE_RULES = frozenset(
    {
        # statement structure (every statement has these wrappers)
        "statements", "statement", "queryWithLocalDefinitions", "nextStatement", "regularQuery", "union",
        "singleQuery", "clause",
        # clauses
        "matchClause", "whereClause", "withClause", "unwindClause", "returnClause", "returnBody", "returnItems",
        "returnItem", "orderBy", "orderItem", "ascToken", "descToken", "skip", "limit",
        # patterns
        "patternList", "pattern", "anonymousPattern", "patternElement", "nodePattern", "relationshipPattern",
        "leftArrow", "arrowLine", "rightArrow", "pathLength", "properties", "labelExpression", "labelExpression1",
        "labelExpression2", "labelExpression3", "labelExpression4", "labelType", "relType", "labelOrRelType",
        "nodeLabels",
        # expressions
        "expression", "expression1", "expression2", "expression3", "expression4", "expression5", "expression6",
        "expression7", "expression8", "expression9", "expression10", "expression11", "comparisonExpression6",
        "postFix", "property", "propertyKeyName", "literal", "numberLiteral", "signedIntegerLiteral",
        "stringLiteral", "listLiteral", "map", "caseExpression", "caseAlternative", "extendedCaseExpression",
        "extendedCaseAlternative", "extendedWhen", "listComprehension", "patternComprehension", "reduceExpression",
        "listItemsPredicate", "parenthesizedExpression", "countStar", "mapProjection", "mapProjectionElement",
        "functionInvocation", "functionArgument", "functionName", "namespace", "variable",
        # EXISTS { ... } is not in openCypher 9, but Neo4j (since 4.0) and the embedded server both run it.
        "existsExpression",
        # names
        "symbolicNameString", "unescapedSymbolicNameString", "unescapedSymbolicNameString_",
        "escapedSymbolicNameString", "symbolicVariableNameString", "unescapedSymbolicVariableNameString",
        "escapedSymbolicVariableNameString",
    }
)  # fmt: skip

# Functions of the openCypher 9 library, which Neo4j 5 and the embedded server both implement (lower case).
PORTABLE_FUNCTIONS = frozenset(
    {
        "count", "sum", "avg", "min", "max", "collect", "stdev", "stdevp", "percentilecont", "percentiledisc",
        "coalesce", "head", "last", "size", "length", "type", "labels", "keys", "properties", "nodes",
        "relationships", "range", "reverse", "tail", "startnode", "endnode", "tostring", "tointeger", "tofloat",
        "toboolean", "abs", "ceil", "floor", "round", "sign", "sqrt", "exp", "log", "log10", "left", "right",
        "substring", "trim", "ltrim", "rtrim", "tolower", "toupper", "replace", "split", "date", "datetime",
        "localdatetime", "localtime", "time", "duration",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Parsed:
    """What Neo4j's Cypher grammar made of one statement."""

    errors: tuple[str, ...]
    rules: frozenset[str]
    functions: tuple[str, ...]

    def problems(self) -> list[str]:
        """Why the statement is not portable; empty when it is."""
        found = [f"syntax error {error}" for error in self.errors]
        found += [f"uses grammar rule {rule}" for rule in sorted(self.rules - PORTABLE_RULES)]
        found += [f"calls {name}()" for name in self.functions if name.lower() not in PORTABLE_FUNCTIONS]
        return found


def parse_all(statements: list[str]) -> list[Parsed]:
    """Parse ``statements`` with Neo4j's Cypher 25 grammar, in one child process (it starts a JVM)."""
    run = subprocess.run(
        [sys.executable, "-c", _PARSER],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [
        Parsed(tuple(item["errors"]), frozenset(item["rules"]), tuple(item["functions"]))
        for item in json.loads(run.stdout)
    ]
