"""The two question engines (offline and LLM) behind one interface, and the router that picks one."""
