"""tokensvc: issues and checks API tokens."""
