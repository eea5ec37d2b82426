"""The MCP server (``mrm3 mcp``): the catalog as read-only domain tools for agents, on the official MCP SDK."""
