"""One module per CLI sub-command. Each defines ``add_parser(subparsers)`` that
registers its parser with ``set_defaults(func=run)``. cli.py finds them all."""
