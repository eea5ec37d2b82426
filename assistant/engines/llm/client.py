"""The chat model: ``langchain-openai``'s ``ChatOpenAI`` on any OpenAI-compatible endpoint.

OpenAI itself, or a local server that speaks the same API (Ollama, vLLM,
llama.cpp). Every call to the model goes through :func:`call_llm`, which turns
the client's exceptions into :class:`LLMUnavailableError` with a next step.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.prompts import PromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.config import Settings
from assistant.errors import ConfigError, LLMUnavailableError
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Local servers (Ollama, llama.cpp) ignore the key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed"

# The placeholders each prompt file must hold, no more and no fewer.
CYPHER_INPUTS = ("schema", "linked_values", "examples", "repair", "question")
ANSWER_INPUTS = ("question", "cypher", "row_count", "rows", "notes")
REWRITE_INPUTS = ("history", "question")
REPAIR_INPUTS = ("cypher", "error")
PLAN_INPUTS = ("choices", "linked_values", "repair")
PLAN_REPAIR_INPUTS = ("error", "plan")
PROMPT_INPUTS = {
    "plan.txt": PLAN_INPUTS,
    "plan_repair.txt": PLAN_REPAIR_INPUTS,
    "cypher.txt": CYPHER_INPUTS,
    "answer.txt": ANSWER_INPUTS,
    "rewrite.txt": REWRITE_INPUTS,
    "repair.txt": REPAIR_INPUTS,
}


def build_llm(settings: Settings) -> ChatOpenAI:
    """Build the chat model from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` and ``OPENAI_MODEL``.

    Args:
        settings: Where the endpoint is, which model to use, the time limit of
            one request and how often a failed request is retried.

    Raises:
        LLMUnavailableError: No endpoint is configured.
    """
    if not settings.llm_configured:
        raise LLMUnavailableError(
            "No LLM is configured - set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
            "(a local OpenAI-compatible server such as Ollama), or use --engine offline"
        )
    logger.debug("LLM: model %s at %s", settings.openai_model, endpoint(settings))
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=SecretStr(settings.openai_api_key or PLACEHOLDER_KEY),
        base_url=settings.openai_base_url,
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


def endpoint(settings: Settings) -> str:
    """Where the LLM lives, safe to show: never the key, nor a user or password in the URL."""
    if not settings.openai_base_url:
        return "https://api.openai.com/v1"
    url = urlsplit(settings.openai_base_url)
    host = url.netloc.rpartition("@")[2]
    return urlunsplit((url.scheme, host, url.path, "", ""))


def call_llm(settings: Settings, work: Callable[[], T]) -> T:
    """Run ``work`` (one or more model calls), translating client errors.

    Raises:
        LLMUnavailableError: The endpoint cannot be reached, refused the key,
            does not know the model, or failed.
    """
    where = endpoint(settings)
    try:
        return work()
    except openai.AuthenticationError as e:
        raise LLMUnavailableError(f"The LLM at {where} refused the API key - check OPENAI_API_KEY") from e
    except openai.NotFoundError as e:
        raise LLMUnavailableError(
            f"The LLM at {where} does not know model {settings.openai_model!r} - check OPENAI_MODEL"
        ) from e
    except openai.APITimeoutError as e:
        raise LLMUnavailableError(
            f"The LLM at {where} did not answer within {settings.llm_timeout_s:g} s - try again, "
            "use a faster model, or raise MRM3_LLM_TIMEOUT"
        ) from e
    except openai.APIConnectionError as e:
        raise LLMUnavailableError(
            f"Cannot reach the LLM at {where} - check OPENAI_BASE_URL and that the server runs"
        ) from e
    except openai.APIStatusError as e:
        detail = (str(e.message or "").strip().splitlines() or [""])[0][:200]
        raise LLMUnavailableError(
            f"The LLM at {where} failed with HTTP {e.status_code}: {detail} - try again, or check OPENAI_MODEL"
        ) from e


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of an f-string template (``{{`` and ``}}`` are literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def read_prompt(name: str, inputs: Sequence[str] | None = None, directory: Path = PROMPTS_DIR) -> str:
    """The text of ``prompts/<name>``, checked to hold exactly its declared placeholders.

    Raises:
        ConfigError: The file is missing, or its placeholders differ from ``inputs``.
    """
    path = directory / name
    expected = set(inputs if inputs is not None else PROMPT_INPUTS[name])
    try:
        template = path.read_text(encoding="utf-8")
        found = placeholders(template)
    except (OSError, ValueError) as e:
        raise ConfigError(f"Cannot read the prompt {path}: {e} - restore it from the repository") from e
    if found != expected:
        missing, unknown = sorted(expected - found), sorted(found - expected)
        raise ConfigError(
            f"The prompt {path} does not match its inputs (missing: {missing or 'none'}, "
            f"unknown: {unknown or 'none'}) - write literal braces as {{{{ and }}}}"
        )
    return template


def load_prompt(name: str, inputs: Sequence[str] | None = None, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load ``prompts/<name>`` into a ``PromptTemplate`` with declared input variables.

    Args:
        name: File name in the prompts directory, e.g. ``"cypher.txt"``.
        inputs: The placeholders the file must hold; defaults to the ones
            declared for it in ``PROMPT_INPUTS``.
        directory: Where the prompt files are.

    Raises:
        ConfigError: The file is missing, or its placeholders differ from ``inputs``.
    """
    expected = inputs if inputs is not None else PROMPT_INPUTS[name]
    template = read_prompt(name, expected, directory)
    return PromptTemplate(template=template, input_variables=sorted(expected))
