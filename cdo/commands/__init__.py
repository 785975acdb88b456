"""The command groups. Each module defines `app`, a Typer sub-application; cli.py
mounts them. Modules import only typer, the stdlib and light cdo modules at the top."""
