"""Command groups registered on the ``kg`` command.

Each module here defines ``register(app: typer.Typer) -> None`` and adds its commands;
``kg.surfaces.cli`` calls every one of them, so a new command never edits the CLI core.
"""
