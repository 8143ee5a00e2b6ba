"""The agent's desktop: thin views over the domain's selectors and services."""
