"""The `minhu` command and its subcommands."""
