"""get_model's values: a Hugging Face card's list properties (languages, tags) travel as lists, with no unit."""

from __future__ import annotations

from assistant.mcp_server.model_card import values


def test_list_properties_are_lists_of_text_without_a_unit() -> None:
    shown = values({"language": ["nl", "en"], "tags": ["whisper-event"], "license": "apache-2.0"})
    assert shown["language"].value == ["nl", "en"] and shown["language"].text == "nl, en"
    assert shown["language"].unit == "" and shown["tags"].value == ["whisper-event"]
    assert shown["license"].value == "apache-2.0"
