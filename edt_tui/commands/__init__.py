"""One module per `edt-tui` subcommand, each exposing `register(subparsers)`."""
