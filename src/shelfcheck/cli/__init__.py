"""The command line: thin typer commands over the library; no logic beyond parsing and printing."""
